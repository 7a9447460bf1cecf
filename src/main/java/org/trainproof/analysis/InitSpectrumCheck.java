package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.trainproof.checkpoint.Seeds;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * W9: the singular-value spectrum of each step-0 matrix against the Marchenko–Pastur law of its claimed
 * init (issue 13). An init claimed as i.i.d. (normal, truncated normal, uniform) is a random matrix whose
 * largest singular value sits at the bulk edge s·(√m + √n) (s the element RMS) with Tracy–Widom
 * fluctuations (Johnstone 2001); a pretrained matrix has low-rank structure — a few singular values far
 * above the edge — and keeps it when rescaled to the claimed std or mixed with fresh noise (the "derived"
 * and "mixed" constructions of the calibration grid, which W1's per-element KS test cannot see: the
 * marginal distribution is right, the matrix is not).
 *
 * <p>Statistic per matrix: z = (λ/s² − μ)/σ with λ the largest eigenvalue of AᵀA, s² the measured mean
 * square of A (so the test does not depend on the claimed std, and a rescaled matrix cannot hide), and
 * μ = (√(n−1) + √p)², σ = (√(n−1) + √p)(1/√(n−1) + 1/√p)^{1/3} Johnstone's centring and scaling for the
 * largest eigenvalue of a real n×p white Wishart matrix (n ≥ p). Under the null z is approximately TW1
 * (mean −1.21, sd 1.27; P(TW1 &gt; 6) ≈ 3e-7). The check fails when the largest z over the eligible matrices
 * exceeds {@link #Z_FAIL}.
 *
 * <p>λ comes from power iteration from a fixed start vector, which converges to λ from below: an
 * unconverged estimate can only make the check pass, never fail. Matrices larger than {@link #MAX_ELEMENTS}
 * are tested on their leading block (rows and columns from 0), which is itself an i.i.d. matrix under the
 * null; memory is bounded by that block. Eligible: tensors with ≥ 2 dimensions (trailing dimensions
 * flattened), both block dimensions ≥ {@link #MIN_DIM}, a claimed i.i.d. distribution, not all zero.
 * Needs exact values from the checkpoint file (analyze, verify --artifacts): the ledger's coordinate samples
 * are not a matrix.
 */
public final class InitSpectrumCheck implements ConsistencyCheck {
    /**
     * Fail above this TW z. Calibration (docs/calibration-logs.md, "Step-0 spectrum and trajectory chord"): the torch grid's
     * 222 honest runs (std 0.02, 1/√fan_in, truncated normal, zero-init head; F32 and BF16; MLP and attention
     * matrices 16×32 … 96×128, 2–7 eligible per run) give z from −2.52 to 2.55 (largest per run); the 36 derived, mixed
     * and permuted runs (AdamW, SGD, Lion, Adafactor) give 7.19 … 87.5 (mixed, 0.6×pretrained + 0.8×fresh: 7.19 … 31.1). 6 is the honest maximum + 3.45 and
     * a TW1 tail probability of about 3e-7 per matrix.
     */
    static final double Z_FAIL = 6.0;
    /** Smallest matrix dimension tested (Tracy–Widom is an asymptotic law; the grid's smallest dimension is 16). */
    static final int MIN_DIM = 8;
    /** Largest block tested per matrix (8 MB of doubles, plus its positions). */
    static final int MAX_ELEMENTS = 1 << 20;
    /**
     * Power-iteration cap. The Rayleigh quotient only grows towards λ, so stopping early can only lower z (pass); a spike at
     * the smallest calibrated z (8.4, top singular value 1.16 × the edge) converges to 1e-9 in about 70 iterations.
     */
    static final int MAX_ITER = 100;

    @Override
    public String id() {
        return "W9";
    }

    @Override
    public String name() {
        return "step-0 spectrum vs Marchenko-Pastur";
    }

    /** The largest-eigenvalue test of one matrix. */
    record MatrixTest(String tensor, int rows, int cols, double z, double edgeRatio) {}

    @Override
    public CheckResult run(AnalysisInput in) {
        if (in.claims().init().isEmpty()) return CheckResult.notRun(id(), name(), "missing claim: init");
        Trajectory tr = in.trajectory();
        int i0 = tr.indexOf(0);
        if (i0 < 0) return CheckResult.notRun(id(), name(), "no checkpoint at step 0" + (tr.size() > 0 ? " (first is step " + tr.step(0) + ")" : ""));
        if (!tr.exact()) {
            return CheckResult.notRun(id(), name(), "needs the step-0 checkpoint file (analyze, or verify --artifacts): the ledger holds"
                    + " coordinate samples, not matrices");
        }
        List<MatrixTest> tests = new ArrayList<>();
        for (TensorManifest t : tr.manifest(i0).tensors()) {
            var rule = in.claims().initFor(t.name());
            if (rule.isEmpty()) continue;
            String dist = rule.get().distribution().toLowerCase(Locale.ROOT);
            if (!dist.equals("normal") && !dist.equals("truncated_normal") && !dist.equals("uniform")) continue;
            List<Long> shape = t.shape();
            if (shape.size() < 2) continue;
            long m = shape.get(0), n = 1;
            for (int d = 1; d < shape.size(); d++) n *= shape.get(d);
            if (m < MIN_DIM || n < MIN_DIM) continue;
            int[] block = block(m, n);
            long[] pos = new long[block[0] * block[1]];
            for (int r = 0, o = 0; r < block[0]; r++) for (int c = 0; c < block[1]; c++) pos[o++] = r * n + c;
            double[] a = tr.exactValues(i0, t.name(), pos);
            MatrixTest mt = test(t.name(), a, block[0], block[1]);
            if (mt != null) tests.add(mt);
        }
        if (tests.isEmpty()) {
            return CheckResult.notRun(id(), name(), "no step-0 matrix with a claimed i.i.d. init (normal, truncated_normal, uniform) and both"
                    + " dimensions >= " + MIN_DIM);
        }
        MatrixTest worst = tests.get(0);
        for (MatrixTest mt : tests) if (mt.z() > worst.z()) worst = mt;
        boolean fail = worst.z() > Z_FAIL;
        String what = String.format(Locale.ROOT, "largest Tracy-Widom z of the top singular value over %d step-0 matrices: %.2f (%s, %dx%d tested,"
                + " top singular value %.3f x the Marchenko-Pastur edge); fails above %.1f", tests.size(), worst.z(), worst.tensor(), worst.rows(),
                worst.cols(), worst.edgeRatio(), Z_FAIL);
        List<Finding> findings = new ArrayList<>();
        if (fail) {
            for (MatrixTest mt : tests) {
                if (mt.z() <= Z_FAIL) continue;
                findings.add(Finding.of(FindingCodes.W9_STEP0_SPECTRUM_SPIKE, Severity.FAIL, String.format(Locale.ROOT,
                        "the top singular value of the step-0 matrix is %.3f x the Marchenko-Pastur edge of an i.i.d. init with its own RMS"
                                + " (Tracy-Widom z %.1f > %.1f): structure a fresh random init cannot have — a trained matrix rescaled or mixed"
                                + " with noise", mt.edgeRatio(), mt.z(), Z_FAIL))
                        .at(Location.step(0).withTensor(mt.tensor())).withStatistic(mt.z(), Z_FAIL, (long) mt.rows() * mt.cols()));
            }
        }
        return new CheckResult(id(), name(), fail ? CheckStatus.FAIL : CheckStatus.PASS, worst.z(), Z_FAIL, (long) tests.size(), null,
                worst.edgeRatio(), what, findings)
                .decidedBy("Tracy-Widom z of a step-0 top singular value (largest)", Direction.FAILS_ABOVE);
    }

    /** Rows and columns of the leading block tested: the whole matrix up to {@link #MAX_ELEMENTS}, else both sides scaled alike. */
    static int[] block(long m, long n) {
        if (m * n <= MAX_ELEMENTS) return new int[] {(int) m, (int) n};
        double f = Math.sqrt((double) MAX_ELEMENTS / ((double) m * n));
        int r = (int) Math.max(MIN_DIM, Math.min(m, Math.floor(m * f)));
        int c = (int) Math.max(MIN_DIM, Math.min(n, MAX_ELEMENTS / r));
        r = (int) Math.min(r, MAX_ELEMENTS / c);
        return new int[] {r, c};
    }

    /** The test of one row-major rows×cols matrix, or null if it is all zero or not finite. */
    static MatrixTest test(String name, double[] a, int rows, int cols) {
        double ss = 0;
        for (double v : a) {
            if (!Double.isFinite(v)) return null;
            ss += v * v;
        }
        if (ss == 0) return null;
        double s2 = ss / a.length;
        double lambda = topEigenvalue(a, rows, cols);
        int p = Math.min(rows, cols), nn = Math.max(rows, cols);
        double sq = Math.sqrt(nn - 1.0) + Math.sqrt(p);
        double mu = sq * sq, sigma = sq * Math.cbrt(1 / Math.sqrt(nn - 1.0) + 1 / Math.sqrt(p));
        double z = (lambda / s2 - mu) / sigma;
        double edge = Math.sqrt(s2) * (Math.sqrt(rows) + Math.sqrt(cols));
        return new MatrixTest(name, rows, cols, z, Math.sqrt(lambda) / edge);
    }

    /**
     * Largest eigenvalue of AᵀA (A row-major rows×cols) by power iteration on the smaller Gram side, from a fixed
     * pseudo-random start; the Rayleigh quotient increases monotonically towards the true value.
     */
    static double topEigenvalue(double[] a, int rows, int cols) {
        boolean colsSide = cols <= rows; // iterate v in R^cols with AᵀA, or in R^rows with AAᵀ
        int d = colsSide ? cols : rows;
        double[] v = new double[d], w = new double[colsSide ? rows : cols], y = new double[d];
        Seeds.SplitMix64 rng = new Seeds.SplitMix64(0x5eed5eedL);
        double nv = 0;
        for (int i = 0; i < d; i++) {
            v[i] = rng.nextDouble() - 0.5;
            nv += v[i] * v[i];
        }
        nv = Math.sqrt(nv);
        for (int i = 0; i < d; i++) v[i] /= nv;
        double lambda = 0;
        for (int it = 0; it < MAX_ITER; it++) {
            // y = Gram v
            java.util.Arrays.fill(y, 0);
            if (colsSide) {
                for (int r = 0; r < rows; r++) {
                    double dot = 0;
                    int o = r * cols;
                    for (int c = 0; c < cols; c++) dot += a[o + c] * v[c];
                    for (int c = 0; c < cols; c++) y[c] += dot * a[o + c];
                }
            } else {
                java.util.Arrays.fill(w, 0);
                for (int r = 0; r < rows; r++) {
                    int o = r * cols;
                    for (int c = 0; c < cols; c++) w[c] += a[o + c] * v[r];
                }
                for (int r = 0; r < rows; r++) {
                    double dot = 0;
                    int o = r * cols;
                    for (int c = 0; c < cols; c++) dot += a[o + c] * w[c];
                    y[r] = dot;
                }
            }
            double rq = 0, ny = 0;
            for (int i = 0; i < d; i++) {
                rq += v[i] * y[i];
                ny += y[i] * y[i];
            }
            ny = Math.sqrt(ny);
            if (ny == 0) return 0;
            for (int i = 0; i < d; i++) v[i] = y[i] / ny;
            boolean done = it > 0 && Math.abs(rq - lambda) <= 1e-9 * rq;
            lambda = Math.max(lambda, rq);
            if (done) break;
        }
        return lambda;
    }
}
