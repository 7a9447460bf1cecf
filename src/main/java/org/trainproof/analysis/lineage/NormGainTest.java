package org.trainproof.analysis.lineage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Catalogue W8: norm gains, biases and other vectors whose entries share a non-zero-mean prior.
 *
 * <p>Per vector: the raw cosine (NOT evidence), the moment-predicted cosine
 * μaμb/√((μa²+σa²)(μb²+σb²)) that needs no correspondence at all (§1.1), the mean and spread of the
 * raw cosine after shuffling B's entries T times (shuffle null), and the centered (Pearson)
 * correlation r with a one-sided p from the t approximation and from the shuffle null.
 *
 * <p>The test statistic is Σ r over all vectors. Its null permutes the coordinates of B with ONE
 * permutation per vector length per draw, applied to every vector of that length, as a residual-
 * stream permutation would be (Zhu et al. 2025: hidden-unit symmetries act on all norm gains of a
 * dimension at once). Per-vector p-values would not be independent across layers (within-model
 * gains are alike from layer to layer), so they are not multiplied together; the single statistic
 * gets the exact p = (1 + b)/(T + 1).
 */
public final class NormGainTest {

    /** One compared vector. {@code r}, {@code pT}, {@code pShuffle} are NaN for a constant vector. */
    public record VectorComparison(String name, int length, double meanA, double stdA, double meanB, double stdB,
            double rawCosine, double predictedCosine, double shuffledCosineMean, double shuffledCosineSd,
            double r, double pT, double pShuffle) {
        public boolean constant() {
            return Double.isNaN(r);
        }
    }

    /** Layer × layer centered correlations of one vector kind (names equal up to the layer number). */
    public record LayerMatrix(String kind, int layers, double diagonalMean, double offDiagonalMean, double[][] r) {}

    /** The whole check; {@code p} is NaN when no non-constant vector was available. */
    public record Result(List<VectorComparison> vectors, List<LayerMatrix> matrices, double sumR, double meanR,
            double p, int permutations, long coordinates) {
        public int tested() {
            return (int) vectors.stream().filter(v -> !v.constant()).count();
        }
    }

    /** Input: paired vectors (A values, B values) in A's order. */
    public record VectorPair(String name, double[] a, double[] b) {}

    private NormGainTest() {}

    public static Result run(List<VectorPair> input, int permutations, long seed) {
        int nv = input.size();
        double[] ma = new double[nv], sa = new double[nv], mb = new double[nv], sb = new double[nv];
        double[] normA = new double[nv], normB = new double[nv], rObs = new double[nv], cosObs = new double[nv];
        boolean[] usable = new boolean[nv];
        double sumR = 0;
        int usableCount = 0;
        long coords = 0;
        for (int v = 0; v < nv; v++) {
            double[] a = input.get(v).a(), b = input.get(v).b();
            ma[v] = LineageNumerics.mean(a);
            sa[v] = LineageNumerics.std(a);
            mb[v] = LineageNumerics.mean(b);
            sb[v] = LineageNumerics.std(b);
            normA[v] = Math.sqrt(dot(a, a));
            normB[v] = Math.sqrt(dot(b, b));
            cosObs[v] = LineageNumerics.cosine(a, b);
            rObs[v] = LineageNumerics.pearson(a, b);
            usable[v] = !Double.isNaN(rObs[v]);
            if (usable[v]) {
                sumR += rObs[v];
                usableCount++;
                coords += a.length;
            }
        }
        // Group vectors by length: one shared permutation per length and draw.
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        for (int v = 0; v < nv; v++) byLength.computeIfAbsent(input.get(v).a().length, k -> new ArrayList<>()).add(v);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double[] cosSum = new double[nv], cosSq = new double[nv];
        int[] exceed = new int[nv];
        int exceedTotal = 0;
        double tol = 1e-12 * Math.max(1, Math.abs(sumR));
        for (int t = 0; t < permutations; t++) {
            double total = 0;
            for (Map.Entry<Integer, List<Integer>> g : byLength.entrySet()) {
                int[] perm = LineageNumerics.randomPermutation(g.getKey(), rng);
                List<Integer> vs = g.getValue();
                double[] dots = permutedDots(input, vs, perm);
                for (int gi = 0; gi < vs.size(); gi++) {
                    int v = vs.get(gi);
                    double[] a = input.get(v).a();
                    double d = dots[gi];
                    double c = normA[v] == 0 || normB[v] == 0 ? Double.NaN : d / (normA[v] * normB[v]);
                    cosSum[v] += c;
                    cosSq[v] += c * c;
                    if (usable[v]) {
                        int n = a.length;
                        double r = (d - n * ma[v] * mb[v]) / (n * sa[v] * sb[v]);
                        if (r >= rObs[v] - 1e-12) exceed[v]++;
                        total += r;
                    }
                }
            }
            if (usableCount > 0 && total >= sumR - tol) exceedTotal++;
        }
        List<VectorComparison> out = new ArrayList<>();
        for (int v = 0; v < nv; v++) {
            VectorPair vp = input.get(v);
            double mean = cosSum[v] / permutations;
            double sd = Math.sqrt(Math.max(0, cosSq[v] / permutations - mean * mean));
            double pT = usable[v] ? LineageNumerics.correlationPUpper(rObs[v], vp.a().length) : Double.NaN;
            double pS = usable[v] ? LineageNumerics.permutationP(exceed[v], permutations) : Double.NaN;
            out.add(new VectorComparison(vp.name(), vp.a().length, ma[v], sa[v], mb[v], sb[v], cosObs[v],
                    LineageNumerics.momentPredictedCosine(ma[v], sa[v], mb[v], sb[v]), mean, sd, rObs[v], pT, pS));
        }
        double p = usableCount == 0 ? Double.NaN : LineageNumerics.permutationP(exceedTotal, permutations);
        return new Result(out, layerMatrices(input, usable), sumR, usableCount == 0 ? Double.NaN : sumR / usableCount,
                p, permutations, coords);
    }

    /** The kind of a vector: its name with every all-digit dotted component replaced by '*'. */
    static String kind(String name) {
        String[] parts = name.split("\\.", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) sb.append('.');
            sb.append(!parts[i].isEmpty() && parts[i].chars().allMatch(Character::isDigit) ? "*" : parts[i]);
        }
        return sb.toString();
    }

    private static List<LayerMatrix> layerMatrices(List<VectorPair> input, boolean[] usable) {
        Map<String, List<Integer>> kinds = new LinkedHashMap<>();
        for (int v = 0; v < input.size(); v++) {
            if (!usable[v]) continue;
            String k = kind(input.get(v).name());
            if (k.equals(input.get(v).name())) continue; // no layer number
            kinds.computeIfAbsent(k + "#" + input.get(v).a().length, x -> new ArrayList<>()).add(v);
        }
        List<LayerMatrix> out = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : kinds.entrySet()) {
            List<Integer> idx = e.getValue();
            int n = idx.size();
            if (n < 2) continue;
            double[][] r = new double[n][n];
            double diag = 0, off = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    r[i][j] = LineageNumerics.pearson(input.get(idx.get(i)).a(), input.get(idx.get(j)).b());
                    if (i == j) diag += r[i][j];
                    else off += r[i][j];
                }
            }
            out.add(new LayerMatrix(e.getKey().substring(0, e.getKey().lastIndexOf('#')), n, diag / n, off / (n * (n - 1.0)), r));
        }
        return out;
    }

    /**
     * Σ_i a[i]·b[perm[i]] for each vector of {@code vs} (all of one length), four vectors per pass over
     * the permutation: each sum is still accumulated in order i = 0, 1, … (bit-identical to one loop
     * per vector), but the four independent chains of additions overlap instead of waiting on each other.
     */
    private static double[] permutedDots(List<VectorPair> input, List<Integer> vs, int[] perm) {
        int nv = vs.size();
        double[] out = new double[nv];
        int g = 0;
        for (; g + 3 < nv; g += 4) {
            double[] a0 = input.get(vs.get(g)).a(), b0 = input.get(vs.get(g)).b();
            double[] a1 = input.get(vs.get(g + 1)).a(), b1 = input.get(vs.get(g + 1)).b();
            double[] a2 = input.get(vs.get(g + 2)).a(), b2 = input.get(vs.get(g + 2)).b();
            double[] a3 = input.get(vs.get(g + 3)).a(), b3 = input.get(vs.get(g + 3)).b();
            double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
            for (int i = 0; i < perm.length; i++) {
                int p = perm[i];
                d0 += a0[i] * b0[p];
                d1 += a1[i] * b1[p];
                d2 += a2[i] * b2[p];
                d3 += a3[i] * b3[p];
            }
            out[g] = d0;
            out[g + 1] = d1;
            out[g + 2] = d2;
            out[g + 3] = d3;
        }
        for (; g < nv; g++) {
            double[] a = input.get(vs.get(g)).a(), b = input.get(vs.get(g)).b();
            double d = 0;
            for (int i = 0; i < perm.length; i++) d += a[i] * b[perm[i]];
            out[g] = d;
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
