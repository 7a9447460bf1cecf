package org.trainproof.analysis.lineage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.trainproof.analysis.lineage.TensorPairing.TensorPair;

/**
 * Catalogue X1 on one hidden layer: a matrix X (h × k) whose rows are the hidden units and the next
 * matrix Y (m × h) whose columns are the same units (an MLP's up and down projections).
 *
 * <p><b>Permutation test</b> (Zhu et al. 2025, PERMTEST): φ = Σ over units i of cos(X_A[i], X_B[i]) +
 * cos(Y_A[:, i], Y_B[:, i]) (units in place). Under H0 (independent initialisations, permutation-
 * equivariant init and training) B with its hidden units permuted consistently in X and Y is an
 * exchangeable copy, so p = (1 + #{φ(A, σB) ≥ φ(A, B)})/(T + 1) is exact. Detects derivation that kept
 * the unit order; blind to a consistent permutation of the units (by design of the symmetry).
 *
 * <p><b>Matching test</b> (φ_MATCH in weight space): match A's units to B's by the rows of X, and
 * independently by the columns of Y; Spearman ρ between the two matchings; one-sided p from the t
 * approximation with n − 2 df (catalogue X1). A derived model whose units were permuted consistently
 * gives the same matching twice (ρ ≈ 1); independent models give unrelated matchings. The layer's
 * p is the larger of the t-approximation p for ρ and the Poisson(n/h) tail of the number of units
 * matched to the same partner twice. Approximate p-value (not exact), as in Zhu et al.
 *
 * <p><b>Subsampling</b>: when h exceeds {@code maxUnits}, a seeded random subset S of unit indices is
 * drawn before any value is read; coordinates are subsampled likewise. The permutation null permutes
 * B's units within S — a subgroup of the hidden-unit symmetry — so its p stays exact; the matching
 * test matches A's units in S against all h units of B.
 */
public final class HiddenLayerTest {

    /** A hidden layer: X's rows and Y's columns are the same h units. */
    public record HiddenLayer(TensorPair x, TensorPair y, int units) {
        public String label() {
            return x.nameA() + " rows / " + y.nameA() + " columns";
        }
    }

    /** Results for one hidden layer. */
    public record Result(HiddenLayer layer, int sampledUnits, int unitsB, int coordsX, int coordsY,
            double phi, double nullMean, double nullSd, double permP, double permEffect,
            double rho, double matchP, double matchPFloor, double agreement, boolean greedy, int permutations) {}

    private HiddenLayerTest() {}

    /**
     * The hidden layers among the 2-D pairs. Rule: inside one block (the name up to and including its
     * last all-digit dotted component; the whole model when names carry none), X (h × k) and Y (m × h)
     * form a layer when h ≥ k and h ≥ m with at least one strict (the hidden width is at least the
     * widths it maps from and to, as in an MLP expansion; this keeps residual-stream axes out, whose
     * symmetry is shared by all layers, and square attention pairs, whose symmetry is per head) and
     * h ≥ {@code minUnits}. Each tensor serves at most once as X and once as Y, first in A's order.
     */
    public static List<HiddenLayer> findLayers(List<TensorPair> pairs, int minUnits) {
        Map<String, List<TensorPair>> blocks = new LinkedHashMap<>();
        for (TensorPair p : pairs) if (p.rank() == 2) blocks.computeIfAbsent(block(p.nameA()), k -> new ArrayList<>()).add(p);
        List<HiddenLayer> out = new ArrayList<>();
        for (List<TensorPair> ms : blocks.values()) {
            Set<String> usedY = new HashSet<>();
            for (TensorPair x : ms) {
                int h = x.dim(0), k = x.dim(1);
                if (h < k || h < minUnits) continue;
                for (TensorPair y : ms) {
                    if (y == x || usedY.contains(y.nameA())) continue;
                    int m = y.dim(0);
                    if (y.dim(1) == h && h >= m && (h > k || h > m)) {
                        out.add(new HiddenLayer(x, y, h));
                        usedY.add(y.nameA());
                        break;
                    }
                }
            }
        }
        return out;
    }

    static String block(String name) {
        String[] parts = name.split("\\.");
        int last = -1;
        for (int i = 0; i < parts.length; i++) if (!parts[i].isEmpty() && parts[i].chars().allMatch(Character::isDigit)) last = i;
        return last < 0 ? "" : String.join(".", Arrays.copyOf(parts, last + 1));
    }

    /** A seeded sorted subset of {0..n−1} of size min(n, max). */
    static int[] sample(int n, int max, SplittableRandom rng) {
        if (n <= max) return TensorSource.identity(n);
        int[] perm = LineageNumerics.randomPermutation(n, rng);
        int[] s = Arrays.copyOf(perm, max);
        Arrays.sort(s);
        return s;
    }

    /** Runs both tests on one layer. Throws {@link NonFiniteException} when a sampled value is NaN or infinite. */
    public static Result run(TensorSource a, TensorSource b, HiddenLayer layer, LineageConfig cfg) {
        int h = layer.units();
        long layerSeed = cfg.seed() * 0x9E3779B97F4A7C15L ^ layer.x().nameA().hashCode() * 31L + layer.y().nameA().hashCode();
        SplittableRandom rng = new SplittableRandom(layerSeed);
        int[] units = sample(h, cfg.maxUnits(), rng);
        int[] kx = sample(layer.x().dim(1), cfg.maxCoords(), rng);
        int[] ky = sample(layer.y().dim(0), cfg.maxCoords(), rng);

        double[][] xa = a.gather(layer.x().nameA(), units, kx);
        double[][] xb = b.gather(layer.x().nameB(), null, kx);
        double[][] ya = transpose(a.gather(layer.y().nameA(), ky, units));
        double[][] yb = transpose(b.gather(layer.y().nameB(), ky, null));
        requireFinite(xa, layer.x().nameA(), "A");
        requireFinite(xb, layer.x().nameB(), "B");
        requireFinite(ya, layer.y().nameA(), "A");
        requireFinite(yb, layer.y().nameB(), "B");
        double[][] cx = cosines(xa, xb);
        double[][] cy = cosines(ya, yb);
        int n = units.length;

        // Permutation test: units in place (A's unit units[i] against B's unit units[i]).
        // The S x S block (A's sampled unit i against B's unit units[j]), compact so the T permuted
        // sums below read cache-resident memory.
        double[][] block = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) block[i][j] = cx[i][units[j]] + cy[i][units[j]];
        double phi = 0;
        for (int i = 0; i < n; i++) phi += block[i][i];
        int exceed = 0;
        double sum = 0, sq = 0, tol = 1e-12 * Math.max(1, Math.abs(phi));
        SplittableRandom prng = new SplittableRandom(layerSeed ^ 0xA5A5A5A5L);
        for (int t = 0; t < cfg.permutations(); t++) {
            int[] s = LineageNumerics.randomPermutation(n, prng);
            double v = 0;
            for (int i = 0; i < n; i++) v += block[i][s[i]];
            if (v >= phi - tol) exceed++;
            sum += v;
            sq += v * v;
        }
        double mean = sum / cfg.permutations();
        double sd = Math.sqrt(Math.max(0, sq / cfg.permutations() - mean * mean));
        double permP = LineageNumerics.permutationP(exceed, cfg.permutations());
        double permEffect = (phi - mean) / (2.0 * n);

        // Matching test: two independent matchings of A's sampled units onto all of B's units.
        boolean greedy = h > cfg.hungarianMaxColumns();
        int[] m1 = greedy ? Assignment.greedyMax(cx) : Assignment.hungarianMax(cx);
        int[] m2 = greedy ? Assignment.greedyMax(cy) : Assignment.hungarianMax(cy);
        double[] d1 = new double[n], d2 = new double[n];
        int agree = 0;
        for (int i = 0; i < n; i++) {
            d1[i] = m1[i];
            d2[i] = m2[i];
            if (m1[i] == m2[i]) agree++;
        }
        double rho = LineageNumerics.spearman(d1, d2);
        double pRho = Double.isNaN(rho) ? 1.0 : LineageNumerics.correlationPUpper(rho, n);
        // Agreements: if the two matchings were independent uniform injections, the number of units
        // given the same partner twice is ≈ Poisson(n/h) (fixed points of a random map). ρ alone also
        // reacts to structure in B's unit labels that matching can induce without any agreement (seen in
        // the null calibration with subsampled rectangular matchings), so the layer's p is the larger of
        // the two approximations: evidence needs both a rank correlation and actual shared partners.
        double pAgree = Math.exp(LineageNumerics.logPoissonUpper(agree, n / (double) h));
        double matchP = Math.max(pRho, pAgree);
        // The smallest p this layer can give: every sampled unit matched to the same partner twice.
        double matchPFloor = Math.exp(LineageNumerics.logPoissonUpper(n, n / (double) h));
        return new Result(layer, n, h, kx.length, ky.length, phi, mean, sd, permP, permEffect,
                Double.isNaN(rho) ? 0 : rho, matchP, matchPFloor, agree / (double) n, greedy, cfg.permutations());
    }

    /** A NaN or infinity in a sampled tensor. */
    public static final class NonFiniteException extends RuntimeException {
        public final String tensor;

        NonFiniteException(String tensor, String model) {
            super("NaN or infinity in sampled values of " + model + " tensor " + tensor);
            this.tensor = tensor;
        }
    }

    private static void requireFinite(double[][] m, String name, String model) {
        for (double[] row : m) for (double v : row) if (!Double.isFinite(v)) throw new NonFiniteException(name, model);
    }

    static double[][] transpose(double[][] m) {
        if (m.length == 0) return new double[0][0];
        double[][] t = new double[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m[0].length; j++) t[j][i] = m[i][j];
        return t;
    }

    /**
     * Cosine between every row of {@code p} and every row of {@code q} (zero rows give 0). Unit rows
     * are held as floats (similarities need no more precision, and it halves memory traffic); work is
     * split into tiles of q's rows so a tile stays in cache while every row of p passes over it.
     */
    static double[][] cosines(double[][] p, double[][] q) {
        float[][] pn = unitRows(p), qn = unitRows(q);
        double[][] c = new double[p.length][q.length];
        final int tile = 64;
        int tiles = (qn.length + tile - 1) / tile;
        IntStream.range(0, tiles).parallel().forEach(t -> {
            int j0 = t * tile, j1 = Math.min(qn.length, j0 + tile);
            for (int i = 0; i < pn.length; i++) {
                float[] x = pn[i];
                double[] ci = c[i];
                int j = j0;
                for (; j + 3 < j1; j += 4) dot4(x, qn[j], qn[j + 1], qn[j + 2], qn[j + 3], ci, j);
                for (; j < j1; j++) ci[j] = dot(x, qn[j]);
            }
        });
        return c;
    }

    private static double dot(float[] x, float[] y) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0, n = x.length;
        for (; k + 3 < n; k += 4) {
            s0 += x[k] * y[k];
            s1 += x[k + 1] * y[k + 1];
            s2 += x[k + 2] * y[k + 2];
            s3 += x[k + 3] * y[k + 3];
        }
        for (; k < n; k++) s0 += x[k] * y[k];
        return (double) s0 + s1 + s2 + s3;
    }

    /**
     * {@link #dot} of x with four rows at once, into c[j..j+3]: each of the four sums is accumulated
     * exactly as {@code dot} does (four partial sums, same order), so the results are bit-identical;
     * x is loaded once per four rows, which is what makes it faster.
     */
    private static void dot4(float[] x, float[] y0, float[] y1, float[] y2, float[] y3, double[] c, int j) {
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        float e0 = 0, e1 = 0, e2 = 0, e3 = 0, f0 = 0, f1 = 0, f2 = 0, f3 = 0;
        int k = 0, n = x.length;
        for (; k + 3 < n; k += 4) {
            float x0 = x[k], x1 = x[k + 1], x2 = x[k + 2], x3 = x[k + 3];
            a0 += x0 * y0[k];
            a1 += x1 * y0[k + 1];
            a2 += x2 * y0[k + 2];
            a3 += x3 * y0[k + 3];
            b0 += x0 * y1[k];
            b1 += x1 * y1[k + 1];
            b2 += x2 * y1[k + 2];
            b3 += x3 * y1[k + 3];
            e0 += x0 * y2[k];
            e1 += x1 * y2[k + 1];
            e2 += x2 * y2[k + 2];
            e3 += x3 * y2[k + 3];
            f0 += x0 * y3[k];
            f1 += x1 * y3[k + 1];
            f2 += x2 * y3[k + 2];
            f3 += x3 * y3[k + 3];
        }
        for (; k < n; k++) {
            a0 += x[k] * y0[k];
            b0 += x[k] * y1[k];
            e0 += x[k] * y2[k];
            f0 += x[k] * y3[k];
        }
        c[j] = (double) a0 + a1 + a2 + a3;
        c[j + 1] = (double) b0 + b1 + b2 + b3;
        c[j + 2] = (double) e0 + e1 + e2 + e3;
        c[j + 3] = (double) f0 + f1 + f2 + f3;
    }

    private static float[][] unitRows(double[][] m) {
        float[][] out = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            double s = 0;
            for (double v : m[i]) s += v * v;
            double inv = s == 0 ? 0 : 1 / Math.sqrt(s);
            out[i] = new float[m[i].length];
            for (int k = 0; k < m[i].length; k++) out[i][k] = (float) (m[i][k] * inv);
        }
        return out;
    }
}
