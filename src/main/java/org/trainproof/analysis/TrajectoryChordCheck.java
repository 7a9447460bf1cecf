package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.trainproof.analysis.stats.ChangePoint;
import org.trainproof.analysis.stats.InitDistributions;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * W10: the trajectory against its chord (issue 13; the Proof-of-Learning spoofs). Let θ_0 and θ_T be the first
 * and last checkpoints and D = θ_T − θ_0. Each interior checkpoint's residual from the chord is
 * r_t = (θ_t − θ_0) − α_t·D with α_t = ⟨θ_t − θ_0, D⟩/|D|² (the best point on the line, so any schedule along
 * it — a constant step, the cumulative LR — fits). Two rules, on the sampled coordinates of every tensor:
 * <ul>
 *   <li><b>line rule</b>: the residuals are no larger than storage rounding (median ρ_t &lt; {@link #RHO_FLOOR},
 *       ρ_t = |r_t| / the rounding floor of the elements that move) <em>and</em> small against the displacement
 *       (max |r_t|/|D| &lt; {@link #REL_LINE_FAIL}) → FAIL: the checkpoints are points of a straight line,
 *       rounded to the storage dtype. At the floor with a displacement too small to show a curve (|r|/|D| above
 *       the threshold) the rule cannot decide: INCONCLUSIVE, never PASS;</li>
 *   <li><b>coherence rule</b> (residuals above the floor): a trained trajectory is a continuous path, so the
 *       residuals of consecutive checkpoints share most of their accumulated deviation (high cosine); a line plus
 *       independent per-checkpoint noise gives cosine ≈ 0. Median cos(r_t, r_{t+1}) &lt; {@link #COS_FAIL} → FAIL.
 *       Needs two interior checkpoints; with one it is INCONCLUSIVE.</li>
 * </ul>
 * Not covered, and said so in docs/checks.md: a forger who adds a <em>continuous</em> random deviation (a random
 * walk, a smooth bend) defeats the coherence rule (the calibration grid's "walk" construction); W11
 * ({@link IncrementSpectrumCheck}) keeps such a run from exit 0 when the walk is unstructured noise.
 */
public final class TrajectoryChordCheck implements ConsistencyCheck {
    /**
     * Line rule, residual against displacement: fail below this (with {@link #RHO_FLOOR}). Calibration (docs/calibration-logs.md,
     * "Step-0 spectrum and trajectory chord"; torch grid, 222 honest runs incl. Lion and Adafactor): honest runs whose residual
     * is at the rounding floor (median ρ &lt; 2: 20 runs, BF16 with sub-ulp updates) have max_t |r_t|/|D| ≥ 0.091; the
     * straight, noisy-straight and cumulative-LR constructions at the floor 1.6e-7 … 4.4e-7 (F32) and 0.008 … 0.034 (BF16).
     * Alone the ratio does not separate: honest Adafactor runs reach 0.034 — far above the floor (ρ ≥ 39), where the
     * coherence rule decides.
     */
    static final double REL_LINE_FAIL = 0.05;
    /**
     * Line rule, residual against the rounding floor: "at the floor" below this. Constructions on a line give median
     * ρ 0.64 … 1.12 (F32 and BF16, with and without the step-0 checkpoint); honest F32 runs 1e3 … 1e7; honest BF16 runs with
     * sub-ulp updates 0.95 … 2.3 (at the floor too, but with |r|/|D| ≥ 0.091, so the line rule cannot fail them).
     */
    static final double RHO_FLOOR = 1.5;
    /**
     * Coherence rule: fail below this median cosine of consecutive residuals. Calibration (torch grid, 222 honest runs; the
     * rule decided on 202): honest minimum 0.434 (the lowest are runs with checkpoints every 200 steps, 6 checkpoints,
     * LR 1e-2 … 1e-1); line-plus-noise constructions above the floor −0.013 … 0.033 with the step-0 checkpoint, up to 0.24
     * without it (the first checkpoint's noise is then shared by every residual); independent noise gives cos ≈ 0.
     */
    static final double COS_FAIL = 0.2;

    private static final String COHERENCE_RULE = "coherence: median cosine of consecutive chord residuals";

    @Override
    public String id() {
        return "W10";
    }

    @Override
    public String name() {
        return "trajectory residual from its chord";
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        Trajectory tr = in.trajectory();
        int n = tr.size();
        if (n < 3) return CheckResult.notRun(id(), name(), "needs at least 3 checkpoints (one between the first and the last), have " + n);
        int dim = 0;
        for (String t : tr.tensors()) dim += tr.sample(0, t).length;
        if (dim == 0) return CheckResult.notRun(id(), name(), "no tensor sampled in every checkpoint");
        String[] dtype = new String[dim];
        int o = 0;
        for (String t : tr.tensors()) {
            int len = tr.sample(0, t).length;
            String dt = tr.dtype(t) == null ? "F32" : tr.dtype(t);
            for (int j = 0; j < len; j++) dtype[o++] = dt;
        }
        // Rows are assembled on demand from the trajectory's (cached) samples: no second copy of every checkpoint.
        final int dimF = dim;
        return decide(tr.step(0), tr.step(n - 1), n, i -> {
            double[] row = new double[dimF];
            int p = 0;
            for (String t : tr.tensors()) {
                double[] s = tr.sample(i, t);
                System.arraycopy(s, 0, row, p, s.length);
                p += s.length;
            }
            return row;
        }, dtype, tr.source());
    }

    /** {@link #decide(long, long, int, java.util.function.IntFunction, String[], String)} on rows held in memory. */
    CheckResult decide(long firstStep, long lastStep, double[][] x, String[] dtype, String source) {
        return decide(firstStep, lastStep, x.length, i -> x[i], dtype, source);
    }

    /**
     * The rules on n checkpoint vectors {@code row.apply(i)} (same coordinates in every checkpoint; element k stored as
     * dtype[k]). Memory: a few vectors of the sample's length, whatever n.
     */
    CheckResult decide(long firstStep, long lastStep, int n, java.util.function.IntFunction<double[]> row, String[] dtype, String source) {
        double[] x0 = row.apply(0), xT = row.apply(n - 1);
        int dim = x0.length;
        boolean[] use = new boolean[dim], moves = new boolean[dim], bad = new boolean[dim];
        for (int i = 0; i < n; i++) {
            double[] xi = i == 0 ? x0 : i == n - 1 ? xT : row.apply(i);
            for (int k = 0; k < dim; k++) {
                bad[k] |= !Double.isFinite(xi[k]);
                moves[k] |= xi[k] != x0[k];
            }
        }
        int moved = 0;
        for (int k = 0; k < dim; k++) {
            use[k] = !bad[k] && moves[k]; // an element that never moves has no residual under any hypothesis
            if (use[k]) moved++;
        }
        double[] d = new double[dim];
        double dd = 0;
        for (int k = 0; k < dim; k++) {
            d[k] = use[k] ? xT[k] - x0[k] : 0;
            dd += d[k] * d[k];
        }
        if (dd == 0) {
            return CheckResult.inconclusive(id(), name(), "the first and last checkpoints are equal on every sampled element: no displacement to"
                    + " test a path against");
        }
        int interior = n - 2;
        double[] prev = new double[dim], cur = new double[dim];
        List<Double> cos = new ArrayList<>();
        double[] rho = new double[interior], rel = new double[interior], norm = new double[interior];
        for (int t = 0; t < interior; t++) {
            double[] xt = row.apply(t + 1);
            double ad = 0;
            for (int k = 0; k < dim; k++) if (use[k]) ad += (xt[k] - x0[k]) * d[k];
            double alpha = ad / dd, rr = 0, floor2 = 0;
            for (int k = 0; k < dim; k++) {
                if (!use[k]) continue;
                cur[k] = xt[k] - x0[k] - alpha * d[k];
                rr += cur[k] * cur[k];
                double ut = InitDistributions.ulp(xt[k], dtype[k]), u0 = InitDistributions.ulp(x0[k], dtype[k]),
                        uT = InitDistributions.ulp(xT[k], dtype[k]);
                // Round-to-nearest error of each stored value is uniform on ±ulp/2 (variance ulp²/12); r_t mixes three of them.
                floor2 += (ut * ut + alpha * alpha * uT * uT + (1 - alpha) * (1 - alpha) * u0 * u0) / 12;
            }
            norm[t] = Math.sqrt(rr);
            rel[t] = norm[t] / Math.sqrt(dd);
            rho[t] = floor2 > 0 ? norm[t] / Math.sqrt(floor2) : Double.POSITIVE_INFINITY;
            if (t > 0 && norm[t] > 0 && norm[t - 1] > 0) {
                double dot = 0;
                for (int k = 0; k < dim; k++) dot += prev[k] * cur[k];
                cos.add(dot / (norm[t] * norm[t - 1]));
            }
            double[] sw = prev;
            prev = cur;
            cur = sw;
        }
        double medRho = ChangePoint.median(rho.clone()), maxRel = 0;
        for (double v : rel) maxRel = Math.max(maxRel, v);
        String where = String.format(Locale.ROOT, "%d interior checkpoints between steps %d and %d, %d of %d sampled elements moving (%s)", interior,
                firstStep, lastStep, moved, dim, source);
        String floorText = String.format(Locale.ROOT, "residual from the chord %.3g x the storage-rounding floor (median) and at most %.3g of the"
                + " displacement", medRho, maxRel);
        if (medRho < RHO_FLOOR) {
            if (maxRel < REL_LINE_FAIL) {
                Finding f = Finding.of(FindingCodes.W10_TRAJECTORY_ON_CHORD, Severity.FAIL, "the checkpoints lie on the straight line from the first"
                        + " to the last up to storage rounding (" + floorText + ", fails below " + REL_LINE_FAIL + " when at the floor, < "
                        + RHO_FLOOR + "): an interpolated trajectory; a trained path at the floor curves by at least 0.09 of the displacement")
                        .at(Location.step(lastStep)).withStatistic(maxRel, REL_LINE_FAIL, (long) interior);
                return new CheckResult(id(), name(), CheckStatus.FAIL, maxRel, REL_LINE_FAIL, (long) interior, null, medRho,
                        "decided by the line rule (fails below the threshold): " + floorText + "; " + where, List.of(f))
                        .decidedBy("line: largest chord residual / displacement (at the floor)", Direction.FAILS_BELOW);
            }
            return CheckResult.inconclusive(id(), name(), "the residual from the chord is at the storage-rounding floor (" + floorText
                    + "): the updates are too small against rounding to tell a trained path from an interpolated one; " + where);
        }
        if (interior < 2) {
            return CheckResult.inconclusive(id(), name(), "one checkpoint between the first and the last: the coherence rule needs two (" + floorText
                    + "; " + where + ")");
        }
        if (cos.isEmpty()) return CheckResult.inconclusive(id(), name(), "no two consecutive non-zero residuals; " + where);
        double medCos = ChangePoint.median(cos.stream().mapToDouble(Double::doubleValue).toArray());
        String cosText = String.format(Locale.ROOT, "median cosine of consecutive residuals %.3f over %d pairs", medCos, cos.size());
        if (medCos < COS_FAIL) {
            Finding f = Finding.of(FindingCodes.W10_RESIDUALS_INCOHERENT, Severity.FAIL, "the checkpoints scatter independently around the straight"
                    + " line from the first to the last (" + cosText + " < " + COS_FAIL + "; " + floorText + "): a line plus per-checkpoint noise;"
                    + " a trained path's deviation accumulates, so consecutive residuals align (honest minimum 0.43)")
                    .at(Location.step(lastStep)).withStatistic(medCos, COS_FAIL, (long) cos.size());
            return new CheckResult(id(), name(), CheckStatus.FAIL, medCos, COS_FAIL, (long) cos.size(), null, medRho,
                    "decided by the coherence rule (fails below the threshold): " + cosText + "; " + floorText + "; " + where, List.of(f))
                    .decidedBy(COHERENCE_RULE, Direction.FAILS_BELOW);
        }
        return new CheckResult(id(), name(), CheckStatus.PASS, medCos, COS_FAIL, (long) cos.size(), null, medRho,
                "decided by the coherence rule (fails below the threshold): " + cosText + "; " + floorText + "; " + where, List.of())
                .decidedBy(COHERENCE_RULE, Direction.FAILS_BELOW);
    }
}
