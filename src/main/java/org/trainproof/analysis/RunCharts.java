package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.TensorSketch;
import org.trainproof.checkpoint.TensorStats;
import org.trainproof.verdict.ReportCharts;
import org.trainproof.verdict.ReportCharts.Chart;
import org.trainproof.verdict.ReportCharts.Reference;
import org.trainproof.verdict.ReportCharts.Series;

/**
 * The chart data of a run report, from the analysis input only (no file is read): the logged loss
 * with ln V, the logged learning rate, per-tensor L2 norms from the manifest stats, and — from the
 * manifest sketches — distance from the first checkpoint and update size per interval, the latter
 * against the Adam learning-rate budget when the run claims Adam betas and logs its learning rate.
 */
public final class RunCharts {
    /** Tensors drawn per weight chart at most (the largest by element count), to keep legends readable. */
    static final int MAX_TENSORS = 10;
    /** The x axis of every chart over training: its unit is the optimizer step (the logged step index). */
    static final String STEP = "step (optimizer steps)";

    private RunCharts() {}

    public static ReportCharts of(AnalysisInput in) {
        List<Chart> charts = new ArrayList<>();
        Optional<MetricSeries> loss = in.metric(MetricSeries.TRAIN_LOSS);
        String units = in.claims().lossUnits().orElse("nats");
        OptionalLong vocab = in.claims().vocabSize();
        if (loss.isPresent() && loss.get().size() > 0) {
            List<Reference> refs = new ArrayList<>();
            if (vocab.isPresent()) {
                double lnV = Math.log(vocab.getAsLong()) / (units.equals("bits") ? Math.log(2) : 1);
                refs.add(new Reference(String.format(Locale.ROOT, "%s V = %.4g %s (uniform prediction over V = %d)",
                        units.equals("bits") ? "log2" : "ln", lnV, units, vocab.getAsLong()), lnV));
            }
            MetricSeries s = loss.get();
            charts.add(Chart.lines("loss", "Training loss against step", STEP, "loss (" + units + ")",
                    List.of(new Series("train/loss (logged)", toDouble(s.steps()), s.values())), refs,
                    (s.firstWindowed() ? "Logged values are means over the logging window, not the loss at the step. " : "")
                            + (vocab.isPresent() ? "A model trained from a random initialisation starts near the dashed line."
                                    : "No vocab_size claimed: the ln V line is not drawn.")));
        }
        in.metric(MetricSeries.TRAIN_LR).filter(s -> s.size() > 0).ifPresent(s -> charts.add(Chart.lines("lr", "Learning rate against step",
                STEP, "learning rate (per step)", List.of(new Series("train/lr (logged)", toDouble(s.steps()), s.values())), List.of(),
                in.claims().lrSchedule().map(c -> "Claimed schedule: " + c.shape() + ", peak " + c.peakLr() + ", warmup "
                        + c.warmupSteps() + ", total " + c.totalSteps() + " steps.").orElse(""))));
        Trajectory t = in.trajectory();
        if (t.size() >= 1) weights(in, t, charts);
        return new ReportCharts(charts);
    }

    private static void weights(AnalysisInput in, Trajectory t, List<Chart> charts) {
        List<TensorManifest> first = t.manifest(0).tensors();
        List<String> names = first.stream().filter(m -> inEvery(t, m.name())).sorted(Comparator.comparingLong(TensorManifest::count)
                .reversed().thenComparing(TensorManifest::name)).limit(MAX_TENSORS).map(TensorManifest::name).toList();
        String chosen = first.size() > names.size() ? " The " + names.size() + " largest of " + first.size() + " tensors are drawn." : "";
        double[] steps = new double[t.size()];
        for (int i = 0; i < t.size(); i++) steps[i] = t.step(i);
        List<Series> norms = new ArrayList<>();
        for (String n : names) {
            double[] y = new double[t.size()];
            boolean any = false;
            for (int i = 0; i < t.size(); i++) {
                TensorStats st = t.manifest(i).tensor(n).map(TensorManifest::stats).orElse(null);
                y[i] = st == null || st.l2() == null ? Double.NaN : st.l2();
                any |= !Double.isNaN(y[i]);
            }
            if (any) norms.add(new Series(n, steps, y));
        }
        if (!norms.isEmpty()) {
            charts.add(Chart.lines("norms", "Per-tensor L2 norm over checkpoints", STEP, "\u2016W\u2016\u2082 (L2 norm, weight units)",
                    norms, List.of(), "From the exact per-tensor stats in each checkpoint manifest." + chosen));
        }
        if (t.size() < 2) return;
        List<Series> dist = new ArrayList<>();
        List<Series> upd = new ArrayList<>();
        double[] lrSum = lrSums(in, t);
        Optional<double[]> betas = in.claims().betas();
        double bound = Double.NaN;
        if (betas.isPresent() && betas.get()[0] * betas.get()[0] < betas.get()[1]) bound = AdamStepBound.sup(betas.get()[0], betas.get()[1]);
        double wd = in.claims().weightDecay().orElse(0);
        boolean budget = lrSum != null && Double.isFinite(bound);
        for (String n : names) {
            double[] d = new double[t.size()];
            double[] u = new double[t.size() - 1];
            double[] ux = new double[t.size() - 1];
            boolean anyD = false, anyU = false;
            TensorSketch s0 = sketch(t, 0, n);
            Double norm0 = l2(t, 0, n);
            for (int i = 0; i < t.size(); i++) {
                TensorSketch si = sketch(t, i, n);
                d[i] = s0 != null && si != null && norm0 != null && norm0 > 0 ? Math.sqrt(si.squaredDistance(s0)) / norm0 : Double.NaN;
                anyD |= Double.isFinite(d[i]);
                if (i == 0) continue;
                TensorSketch sp = sketch(t, i - 1, n);
                ux[i - 1] = t.step(i);
                double size = sp != null && si != null ? Math.sqrt(si.squaredDistance(sp)) : Double.NaN;
                if (budget) {
                    Double a = l2(t, i - 1, n), b = l2(t, i, n);
                    double wn = a == null || b == null ? Double.NaN : Math.max(a, b);
                    long count = t.tensor(0, n).count();
                    double decay = in.claims().decays(n) ? wd * wn : 0;
                    double cap = lrSum[i - 1] * (bound * Math.sqrt(count) + decay);
                    u[i - 1] = cap > 0 ? size / cap : Double.NaN;
                } else {
                    u[i - 1] = size;
                }
                anyU |= Double.isFinite(u[i - 1]);
            }
            if (anyD) dist.add(new Series(n, steps, d));
            if (anyU) upd.add(new Series(n, ux, u));
        }
        if (!dist.isEmpty()) {
            charts.add(Chart.lines("distance", "Distance from the first checkpoint (step " + t.step(0) + ")", STEP,
                    "\u2016W\u209c \u2212 W\u2080\u2016 / \u2016W\u2080\u2016 (relative, unitless)", dist, List.of(),
                    "Estimated from the manifests' count sketches (" + TensorSketch.SCHEME + " or, for manifests recorded before it, " + TensorSketch.SCHEME_V2
                            + "): \u2016W\u209c \u2212 W\u2080\u2016\u00b2 \u2248 \u2016sketch(W\u209c) \u2212 sketch(W\u2080)\u2016\u00b2. Tensors initialised to zero (no relative distance) are not drawn."
                            + chosen));
        }
        if (!upd.isEmpty()) {
            if (budget) {
                charts.add(Chart.lines("updates", "Update size per checkpoint interval against the Adam learning-rate budget",
                        "end of interval (optimizer step)", "\u2016\u0394W\u2016 / budget (unitless)", upd,
                        List.of(new Reference("budget = 1", 1.0)),
                        String.format(Locale.ROOT, "\u2016\u0394W\u2016 from the sketches; budget = \u03a3 lr \u00b7 (B\u221an + wd\u00b7\u2016W\u2016) over"
                                + " the interval, B = %.4g (sup of Adam's normalised step for the claimed betas), lr from the logged"
                                + " learning rate, \u2016W\u2016 the larger endpoint norm (an approximation of the decay term). Points above 1"
                                + " moved more than Adam with this learning rate can move them.", bound) + chosen));
            } else {
                charts.add(Chart.lines("updates", "Update size per checkpoint interval", "end of interval (optimizer step)",
                        "\u2016W\u1d62 \u2212 W\u1d62\u208b\u2081\u2016 (weight units)", upd, List.of(),
                        "From the manifests' sketches. No budget drawn: " + (lrSum == null ? "no logged learning rate covers the intervals"
                                : "no Adam betas claimed (optimizer.betas)") + "." + chosen));
            }
        }
    }

    private static boolean inEvery(Trajectory t, String name) {
        for (int i = 0; i < t.size(); i++) if (t.manifest(i).tensor(name).isEmpty()) return false;
        return true;
    }

    private static TensorSketch sketch(Trajectory t, int i, String n) {
        TensorSketch s = t.manifest(i).tensor(n).map(TensorManifest::sketch).orElse(null);
        TensorSketch s0 = t.manifest(0).tensor(n).map(TensorManifest::sketch).orElse(null);
        if (s == null || s0 == null || s.width() != s0.width() || !s.scheme().equals(s0.scheme())) return null;
        return s;
    }

    private static Double l2(Trajectory t, int i, String n) {
        TensorStats st = t.manifest(i).tensor(n).map(TensorManifest::stats).orElse(null);
        return st == null ? null : st.l2();
    }

    /**
     * Σ lr over the steps of each interval (step(i), step(i+1)], lr linearly interpolated between logged
     * records; null when the logged learning rate does not cover every interval.
     */
    private static double[] lrSums(AnalysisInput in, Trajectory t) {
        Optional<MetricSeries> lr = in.metric(MetricSeries.TRAIN_LR);
        if (lr.isEmpty() || lr.get().size() < 2) return null;
        long[] s = lr.get().steps();
        double[] v = lr.get().values();
        for (int i = 1; i < s.length; i++) if (s[i] <= s[i - 1]) return null;
        double[] out = new double[t.size() - 1];
        for (int i = 0; i + 1 < t.size(); i++) {
            long a = t.step(i) + 1, b = t.step(i + 1);
            if (a < s[0] - 1 || b > s[s.length - 1] + 1) return null;
            double sum = 0;
            int j = 0;
            for (long step = a; step <= b; step++) {
                while (j + 1 < s.length && s[j + 1] < step) j++;
                double x;
                if (step <= s[0]) x = v[0];
                else if (j + 1 >= s.length) x = v[s.length - 1];
                else x = v[j] + (v[j + 1] - v[j]) * (step - s[j]) / (double) (s[j + 1] - s[j]);
                sum += x;
            }
            out[i] = sum;
        }
        return out;
    }

    private static double[] toDouble(long[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
