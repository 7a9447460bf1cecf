package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.trainproof.analysis.stats.ChangePoint;
import org.trainproof.analysis.stats.RunningMedian;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * L4 (plausibility, soft): loss spikes and the gradient-norm profile (verification-science.md §3 L4).
 * <ul>
 *   <li>(a) loss spikes: records more than {@code spikeSigmas} robust step-to-step σ above the centred running
 *       median, lasting at most the half-window h (5–50 records, n/100); each is reported, as
 *       {@code L4_LOSS_SPIKE_NEAR_EVENT} when a declared event (restart, skip) lies within h records. Genuine runs
 *       spike (PaLM ~20 times), so spikes are INFO only.</li>
 *   <li>(b) with train/grad_norm: the fraction of loss spikes that a grad-norm spike (same rule on ln g) leads or
 *       coincides with, beside the fraction expected by chance. INFO only: the two llm.c logs give 7/15 and 0/6.</li>
 *   <li>(c, d) the profile ratio max(first 3 grad-norm records) / median(all). A from-scratch run starts with a large
 *       transient; a fine-tune is flat from its first record. The fine-tune signature — flat, small peak LR, and a log
 *       that starts before the transient would be over — is a WARNING and makes the check INCONCLUSIVE.</li>
 * </ul>
 * Never FAIL and no p-value: there is no valid null to calibrate one (§4.2), only the reference logs behind
 * {@link AnalysisConfig.L4}. Whether a logged grad norm is before or after clipping is not stated by any log format
 * read here (HF Trainer, llm.c and the fixtures log the pre-clip norm), so norms above the claimed clip are only
 * counted in the detail, not judged.
 */
public final class SpikeGradNormCheck implements ConsistencyCheck {
    /** Spike findings listed per run (the largest; the count is in the detail). */
    static final int MAX_LISTED = 20;
    /** Fewest finite loss records to scan for spikes (four half-windows of the smallest h). */
    static final int MIN_SPIKE_RECORDS = 20;

    @Override
    public String id() {
        return "L4";
    }

    @Override
    public String name() {
        return "loss spikes and gradient-norm profile";
    }

    /** A spike at record {@code index} (of the finite series), {@code z} σ above the running median by {@code rise}. */
    record Spike(int index, long step, double z, double rise) {}

    /** Finite (and for grad norms positive) records of a series. Internal: the arrays are not copied. */
    static final class Series {
        private final long[] steps;
        private final double[] values;

        private Series(long[] steps, double[] values) {
            this.steps = steps;
            this.values = values;
        }

        long[] steps() {
            return steps;
        }

        double[] values() {
            return values;
        }

        static Series of(MetricSeries s, boolean positive) {
            int k = 0;
            long[] st = new long[s.size()];
            double[] v = new double[s.size()];
            for (int i = 0; i < s.size(); i++) {
                double x = s.value(i);
                if (Double.isFinite(x) && (!positive || x > 0)) {
                    st[k] = s.step(i);
                    v[k++] = x;
                }
            }
            return new Series(Arrays.copyOf(st, k), Arrays.copyOf(v, k));
        }

        int size() {
            return values.length;
        }
    }

    /** Half-window of the running median: 5..50 records, n/100 in between (spikes are short; the trend is not). */
    static int halfWindow(int n) {
        return Math.max(5, Math.min(50, n / 100));
    }

    /** First record scanned: the first 5 % are the early transient, where the steep descent dominates the residuals. */
    static int firstScanned(int n) {
        return (int) Math.ceil(0.05 * n);
    }

    /**
     * Spikes of x: runs of records with (x − running median)/σ &gt; k lasting at most h records (a longer excursion
     * is a level shift, L3's business); the peak of each run is the spike. σ = robust step-to-step σ of the
     * scanned part. Empty if x is too short or has no noise.
     */
    static List<Spike> spikes(long[] st, double[] x, double k) {
        int n = x.length;
        if (n < MIN_SPIKE_RECORDS) return List.of();
        int h = halfWindow(n), from = firstScanned(n);
        double sigma = ChangePoint.diffSigma(Arrays.copyOfRange(x, from, n));
        if (!(sigma > 0)) return List.of();
        double[] m = RunningMedian.centred(x, h);
        List<Spike> out = new ArrayList<>();
        int i = from;
        while (i < n) {
            if ((x[i] - m[i]) / sigma <= k) {
                i++;
                continue;
            }
            int j = i, peak = i;
            while (j + 1 < n && (x[j + 1] - m[j + 1]) / sigma > k) {
                j++;
                if (x[j] - m[j] > x[peak] - m[peak]) peak = j;
            }
            if (j - i + 1 <= h) out.add(new Spike(peak, st[peak], (x[peak] - m[peak]) / sigma, x[peak] - m[peak]));
            i = j + 1;
        }
        return out;
    }

    /** True if a step in the sorted array lies in [from, to]. */
    private static boolean anyIn(long[] sorted, long from, long to) {
        int at = Arrays.binarySearch(sorted, from);
        if (at >= 0) return true;
        at = -at - 1;
        return at < sorted.length && sorted[at] <= to;
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.L4 cfg = in.config().l4();
        Optional<MetricSeries> lossM = in.metric(MetricSeries.TRAIN_LOSS), gradM = in.metric(MetricSeries.GRAD_NORM);
        if (lossM.isEmpty() && gradM.isEmpty()) return CheckResult.notRun(id(), name(), "no train/loss or train/grad_norm series");
        List<Finding> findings = new ArrayList<>();
        List<String> notRun = new ArrayList<>(), said = new ArrayList<>();
        Series grad = gradM.map(g -> Series.of(g, true)).orElse(null);
        long[] gradSpikeSteps = grad == null ? new long[0]
                : spikes(grad.steps(), Arrays.stream(grad.values()).map(Math::log).toArray(), cfg.spikeSigmas()).stream()
                        .mapToLong(Spike::step).sorted().toArray();

        // (a, b) loss spikes
        Series loss = lossM.map(l -> Series.of(l, false)).orElse(null);
        if (loss == null) {
            notRun.add("no train/loss: spikes not scanned");
        } else if (loss.size() < MIN_SPIKE_RECORDS) {
            notRun.add("too few finite train/loss records (" + loss.size() + " < " + MIN_SPIKE_RECORDS + ") to scan for spikes");
        } else {
            long[] st = loss.steps();
            int n = st.length, h = halfWindow(n), lead = cfg.gradSpikeLead();
            List<Spike> sp = spikes(st, loss.values(), cfg.spikeSigmas());
            int nearEvent = 0, withGrad = 0;
            List<Finding> each = new ArrayList<>();
            for (Spike s : sp) {
                long from = st[Math.max(0, s.index() - h)], to = st[Math.min(n - 1, s.index() + h)];
                boolean event = in.events().stream().anyMatch(e -> e.step() >= from && e.step() <= to);
                boolean g = grad != null && anyIn(gradSpikeSteps, st[Math.max(0, s.index() - lead)], st[Math.min(n - 1, s.index() + 1)]);
                if (event) nearEvent++;
                if (g) withGrad++;
                each.add(Finding.of(event ? L4_LOSS_SPIKE_NEAR_EVENT : L4_LOSS_SPIKE, Severity.INFO, String.format(
                        "train/loss spikes by %+.4g (%.1f robust sigma above the running median) at step %d; %s%s", s.rise(), s.z(), s.step(),
                        event ? "a declared event lies within " + h + " records" : "no declared event within " + h + " records",
                        grad == null ? "" : g ? "; a grad-norm spike leads or coincides" : "; no grad-norm spike with it"))
                        .at(Location.step(s.step())).withStatistic(s.z(), cfg.spikeSigmas(), (long) n));
            }
            // The largest MAX_LISTED, in step order.
            each.sort(Comparator.comparingDouble((Finding f) -> -f.statistic()));
            List<Finding> listed = new ArrayList<>(each.subList(0, Math.min(MAX_LISTED, each.size())));
            listed.sort(Comparator.comparingLong(f -> f.location().step()));
            findings.addAll(listed);
            said.add(sp.size() + " loss spike(s) above " + cfg.spikeSigmas() + " sigma in " + n + " records"
                    + (sp.isEmpty() ? "" : in.events().isEmpty() ? " (no events declared; spikes are normal in genuine runs)"
                            : " (" + nearEvent + " near a declared event; spikes are normal in genuine runs)")
                    + (sp.size() > MAX_LISTED ? ", the largest " + MAX_LISTED + " listed" : ""));
            if (grad != null && !sp.isEmpty()) {
                // Chance level: the fraction of scanned loss records whose window holds a grad-norm spike.
                int hits = 0, scanned = 0;
                for (int j = firstScanned(n); j < n; j++, scanned++) {
                    if (anyIn(gradSpikeSteps, st[Math.max(0, j - lead)], st[Math.min(n - 1, j + 1)])) hits++;
                }
                double frac = (double) withGrad / sp.size(), chance = scanned == 0 ? 0 : (double) hits / scanned;
                findings.add(Finding.of(L4_GRAD_NORM_WITH_LOSS_SPIKES, Severity.INFO, String.format(
                        "%d of %d loss spikes have a grad-norm spike up to %d records before or 1 after (%.2f; %.2f expected by chance"
                                + " from %d grad-norm spikes)", withGrad, sp.size(), lead, frac, chance, gradSpikeSteps.length))
                        .withStatistic(frac, null, (long) sp.size()));
                said.add(String.format("%d/%d with a grad-norm spike (chance %.2f)", withGrad, sp.size(), chance));
            }
        }

        // (c, d) grad-norm profile
        Double ratio = null;
        Long profileN = null;
        Double peakDecided = null; // set when a flat profile passed because the peak LR is above the fine-tune range
        if (grad == null) {
            notRun.add("train/grad_norm not logged: grad-norm profile not judged");
        } else if (grad.size() < cfg.minGradNormRecords()) {
            notRun.add("too few positive finite train/grad_norm records (" + grad.size() + " < " + cfg.minGradNormRecords() + ") to judge the profile");
        } else {
            double[] g = grad.values();
            double early = Math.max(g[0], Math.max(g[Math.min(1, g.length - 1)], g[Math.min(2, g.length - 1)]));
            double med = ChangePoint.median(g);
            ratio = early / med;
            profileN = (long) g.length;
            long first = grad.steps()[0];
            OptionalDouble peak = peakLr(in);
            OptionalDouble area = areaBefore(in, first);
            in.claims().gradClip().ifPresent(c -> said.add(String.format("%d of %d grad-norm records above the claimed clip %s",
                    Arrays.stream(g).filter(x -> x > c).count(), g.length, c)));
            String prof = String.format("grad-norm profile: max(first 3) / median = %.3g / %.3g = %.3g", early, med, ratio);
            if (ratio >= cfg.flatRatio()) {
                said.add(prof + String.format(" >= %s (not flat: an early transient)", cfg.flatRatio()));
            } else if (peak.isEmpty()) {
                notRun.add(prof + String.format(" < %s (flat) but the LR is neither logged nor claimed: fine-tune signature not judged", cfg.flatRatio()));
            } else if (peak.getAsDouble() > cfg.smallLr()) {
                peakDecided = peak.getAsDouble();
                said.add(prof + String.format(" < %s (flat) at peak LR %.3g > %.3g: not the fine-tune signature", cfg.flatRatio(), peak.getAsDouble(), cfg.smallLr()));
            } else if (area.isEmpty() || area.getAsDouble() > cfg.maxAreaBeforeFirst()) {
                notRun.add(prof + String.format(" < %s (flat) at peak LR %.3g, but the first record at step %d comes after %s of LR area"
                        + " (> %s): a from-scratch transient may predate the log", cfg.flatRatio(), peak.getAsDouble(), first,
                        area.isEmpty() ? "an unknown amount" : String.format("%.3g", area.getAsDouble()), cfg.maxAreaBeforeFirst()));
            } else {
                findings.add(Finding.of(L4_FINE_TUNE_LIKE_GRAD_NORM, Severity.WARNING, String.format(
                        "fine-tune-like gradient profile: grad norm flat from its first record at step %d (max of the first 3 / median"
                                + " = %.3g < %s, no early transient) at a small peak LR %.3g <= %.3g, with %.3g of LR area before"
                                + " the first record (<= %s). A from-scratch run starts with a large transient (real logs: ratio 3.4-419)",
                        first, ratio, cfg.flatRatio(), peak.getAsDouble(), cfg.smallLr(), area.getAsDouble(), cfg.maxAreaBeforeFirst()))
                        .at(Location.step(first)).withStatistic(ratio, cfg.flatRatio(), profileN));
                said.add(prof + " (flat from an early first record at a small LR: fine-tune-like)");
            }
        }

        boolean warn = findings.stream().anyMatch(f -> f.severity() == Severity.WARNING);
        List<String> all = new ArrayList<>(said);
        all.addAll(notRun);
        String detail = String.join("; ", all);
        CheckStatus status = warn || !notRun.isEmpty() ? CheckStatus.INCONCLUSIVE : CheckStatus.PASS;
        Long n = profileN != null ? profileN : loss == null ? null : (long) loss.size();
        // The statistic shown is that of the rule that decided (issue 13): a flat profile at a peak LR above smallLr passes on
        // the LR, so the LR is shown there, not a ratio on the warning side.
        if (peakDecided != null) {
            return new CheckResult(id(), name(), status, peakDecided, cfg.smallLr(), n, null, ratio, detail, findings)
                    .decidedBy("peak LR (a flat grad-norm profile counts only at a small LR)",
                            Direction.WARNS_BELOW);
        }
        CheckResult r = new CheckResult(id(), name(), status, ratio, ratio == null ? null : cfg.flatRatio(), n, null, null, detail, findings);
        return ratio == null ? r : r.decidedBy("grad-norm max(first 3) / median",
                Direction.WARNS_BELOW);
    }

    /** Peak LR: the larger of the logged maximum and the claimed peak; empty if neither is known. */
    static OptionalDouble peakLr(AnalysisInput in) {
        double p = Double.NaN;
        Optional<MetricSeries> lr = in.metric(MetricSeries.TRAIN_LR);
        if (lr.isPresent()) {
            for (double v : lr.get().values()) if (Double.isFinite(v) && !(v <= p)) p = v;
        }
        Double claimed = in.claims().lrSchedule().map(RunClaims.LrSchedule::peakLr).orElse(null);
        if (claimed != null && Double.isFinite(claimed) && !(claimed <= p)) p = claimed;
        return Double.isNaN(p) ? OptionalDouble.empty() : OptionalDouble.of(p);
    }

    /**
     * Forward area S1 = Σ η over the updates before {@code step}: the larger of the estimate from the logged LR
     * (trapezoids between records; before the first record its value held from step 0) and the claimed schedule.
     * Empty if neither is known.
     */
    static OptionalDouble areaBefore(AnalysisInput in, long step) {
        double a = Double.NaN;
        Optional<MetricSeries> lr = in.metric(MetricSeries.TRAIN_LR);
        if (lr.isPresent()) {
            Series s = Series.of(lr.get(), false);
            if (s.size() > 0) {
                long[] st = s.steps();
                double[] v = s.values();
                double acc = Math.max(0, Math.min(step, st[0])) * v[0];
                for (int i = 1; i < st.length && st[i - 1] < step; i++) {
                    if (st[i] <= st[i - 1]) continue;
                    long to = Math.min(st[i], step);
                    double vTo = v[i - 1] + (v[i] - v[i - 1]) * (to - st[i - 1]) / (double) (st[i] - st[i - 1]);
                    acc += 0.5 * (v[i - 1] + vTo) * (to - st[i - 1]);
                }
                if (step > st[st.length - 1]) acc += (step - st[st.length - 1]) * v[v.length - 1];
                a = acc;
            }
        }
        LrScheduleModel.Result m = LrScheduleModel.of(in.claims());
        if (m.model() != null) {
            // Σ over every update costs one call per step; beyond 10^7 steps the constant peak bounds it from above.
            double c = step <= 10_000_000 ? m.model().sum(0, step) : m.model().peak() * step;
            if (!(c <= a)) a = c;
        }
        return Double.isNaN(a) ? OptionalDouble.empty() : OptionalDouble.of(a);
    }
}
