package org.trainproof.checkpoint;

/**
 * Running statistics of decoded values, mergeable across chunks: count, NaN/±Inf/zero counts, and
 * over the finite values n, mean, M2 (sum of squared deviations), min and max. Blocks are summarised
 * two-pass (mean, then squared deviations from it); summaries are combined with Chan, Golub &amp;
 * LeVeque's parallel formula (1979): δ = mean_b − mean_a, M2 = M2_a + M2_b + δ²·n_a·n_b/n.
 * L2 norm = √(M2 + n·mean²), a sum of non-negative terms (no cancellation).
 */
final class StatsAccumulator {
    long count;
    long zeros;
    long nan;
    long posInf;
    long negInf;
    long n;
    double mean;
    double m2;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;

    /** Adds {@code v[0..len)}. */
    void addBlock(double[] v, int len) {
        long nf = 0;
        double sum = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            double x = v[j];
            if (x - x == 0.0) { // finite
                nf++;
                sum += x;
                if (x < lo) lo = x;
                if (x > hi) hi = x;
                if (x == 0.0) zeros++;
            } else if (x != x) {
                nan++;
            } else if (x > 0) {
                posInf++;
            } else {
                negInf++;
            }
        }
        count += len;
        if (nf == 0) return;
        double mb = sum / nf;
        double q = 0;
        if (nf == len) {
            for (int j = 0; j < len; j++) {
                double d = v[j] - mb;
                q += d * d;
            }
        } else {
            for (int j = 0; j < len; j++) {
                double x = v[j];
                if (x - x == 0.0) {
                    double d = x - mb;
                    q += d * d;
                }
            }
        }
        combine(nf, mb, q, lo, hi);
    }

    /**
     * Adds the elements counted in {@code hist} (hist[code] = occurrences of that 8- or 16-bit code;
     * {@code table[code]} its value) and zeroes {@code hist}. Exact two-pass over distinct values.
     */
    void addHistogram(double[] table, int[] hist) {
        long nf = 0;
        long total = 0;
        double sum = 0;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < table.length; c++) {
            int k = hist[c];
            if (k == 0) continue;
            total += k;
            double x = table[c];
            if (x - x == 0.0) {
                nf += k;
                sum += k * x;
                if (x < lo) lo = x;
                if (x > hi) hi = x;
                if (x == 0.0) zeros += k;
            } else if (x != x) {
                nan += k;
            } else if (x > 0) {
                posInf += k;
            } else {
                negInf += k;
            }
        }
        count += total;
        if (nf > 0) {
            double mb = sum / nf;
            double q = 0;
            for (int c = 0; c < table.length; c++) {
                int k = hist[c];
                if (k == 0) continue;
                double x = table[c];
                if (x - x == 0.0) {
                    double d = x - mb;
                    q += k * d * d;
                }
            }
            combine(nf, mb, q, lo, hi);
        }
        java.util.Arrays.fill(hist, 0, table.length, 0);
    }

    /** Merges a summary of nb finite elements (mean mb, squared deviations m2b) that follow this one's. */
    void combine(long nb, double mb, double m2b, double lo, double hi) {
        if (nb == 0) return;
        if (lo < min) min = lo;
        if (hi > max) max = hi;
        if (n == 0) {
            n = nb;
            mean = mb;
            m2 = m2b;
            return;
        }
        long tot = n + nb;
        double delta = mb - mean;
        mean += delta * ((double) nb / tot);
        m2 += m2b + delta * delta * ((double) n * nb / tot);
        n = tot;
    }

    /** Merges another accumulator (the elements that follow this one's). */
    void merge(StatsAccumulator o) {
        count += o.count;
        zeros += o.zeros;
        nan += o.nan;
        posInf += o.posInf;
        negInf += o.negInf;
        combine(o.n, o.mean, o.m2, o.min, o.max);
    }

    TensorStats toStats() {
        if (n == 0) return new TensorStats(count, null, null, null, null, null, zeros, nan, posInf, negInf);
        double var = Math.max(0.0, m2 / n);
        double l2 = Math.sqrt(Math.max(0.0, m2) + n * mean * mean);
        return new TensorStats(count, mean, Math.sqrt(var), min, max, l2, zeros, nan, posInf, negInf);
    }

    /** An accumulator holding exactly what {@code s} states (for combining slices' stats in {@link ShardFold}). */
    static StatsAccumulator of(TensorStats s) {
        StatsAccumulator a = new StatsAccumulator();
        a.count = s.count();
        a.zeros = s.zeros();
        a.nan = s.nan();
        a.posInf = s.posInf();
        a.negInf = s.negInf();
        long nf = s.finite();
        if (nf > 0 && s.mean() != null) {
            a.n = nf;
            a.mean = s.mean();
            a.m2 = s.std() * s.std() * nf;
            a.min = s.min();
            a.max = s.max();
        }
        return a;
    }
}
