package org.trainproof.analysis;

import static org.trainproof.analysis.FindingCodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Direction;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * L5: log arithmetic (verification-science.md §3 L5). (a) train/tokens at step s must equal
 * s·batch·seq (or (s+1)·batch·seq, for loggers counting the current step) within 0.1 %, up to the first
 * declared config change; (b) wall time must not run backwards — one decrease within the first
 * {@value #WARMUP_STEPS} steps is a timer reset after compile/warm-up (modded-nanogpt logs, catalogue L5
 * failure modes) and only warned; a decrease at a declared resume/restart is fine; (c) steps should
 * increase (duplicates after restarts are warned, not failed).
 */
public final class LogArithmeticCheck implements ConsistencyCheck {
    static final long WARMUP_STEPS = 20;

    @Override
    public String id() {
        return "L5";
    }

    @Override
    public String name() {
        return "log arithmetic";
    }

    @Override
    public CheckResult run(AnalysisInput in) {
        AnalysisConfig.L5 cfg = in.config().l5();
        List<Finding> findings = new ArrayList<>();
        int ran = 0;
        long n = 0;
        boolean fail = false;
        double worstRel = 0;
        boolean tokensRan = false, tokensFailed = false;
        int reversals = 0; // undeclared wall-time reversals after the warm-up (each one fails the check)
        long changeAt = in.events().stream().filter(e -> kind(e).contains("config")).mapToLong(RunEvent::step).min().orElse(Long.MAX_VALUE);
        var tokens = in.metric(MetricSeries.TOKENS);
        List<String> why = new ArrayList<>();
        if (tokens.isPresent() && tokens.get().ordinalSteps()) {
            why.add("train/tokens records carry no training step (numbered by their order)");
        } else if (tokens.isPresent() && in.claims().batchSize().isPresent() && in.claims().seqLen().isPresent()) {
            ran++;
            tokensRan = true;
            double per = (double) in.claims().batchSize().getAsLong() * in.claims().seqLen().getAsLong();
            MetricSeries t = tokens.get();
            for (int i = 0; i < t.size(); i++) {
                long s = t.step(i);
                if (s >= changeAt || !Double.isFinite(t.value(i))) continue;
                n++;
                double v = t.value(i);
                double e0 = s * per, e1 = (s + 1) * per;
                double rel = Math.min(relErr(v, e0), relErr(v, e1));
                worstRel = Math.max(worstRel, rel);
                if (rel > cfg.tokenRelTol()) {
                    fail = true;
                    tokensFailed = true;
                    findings.add(Finding.of(L5_TOKENS_MISMATCH, Severity.FAIL, String.format(
                            "train/tokens %.0f at step %d, but step x batch_size x seq_len = %.0f (relative error %.3g > %s) and no config change is declared",
                            v, s, e0, rel, cfg.tokenRelTol())).at(Location.step(s)).withStatistic(rel, cfg.tokenRelTol(), 1L)
                            .withMismatch((long) e0, (long) v));
                    break;
                }
            }
        } else {
            why.add(tokens.isEmpty() ? "no train/tokens series" : "missing claim: " + (in.claims().batchSize().isEmpty() ? "batch_size" : "seq_len"));
        }
        boolean anyTime = false;
        for (MetricSeries m : in.metrics().values()) {
            if (!m.hasWallTimes()) continue;
            anyTime = true;
            int decreases = 0;
            double prev = Double.NaN;
            long prevStep = Long.MIN_VALUE;
            boolean stepWarned = false;
            for (int i = 0; i < m.size(); i++) {
                long s = m.step(i);
                if (i > 0 && s <= prevStep && !stepWarned) {
                    stepWarned = true;
                    findings.add(Finding.of(L5_STEPS_NOT_INCREASING, Severity.WARNING, m.metric() + " step " + s + " follows step " + prevStep
                            + " (restart or duplicate records)").at(Location.step(s)));
                }
                double w = m.wallTime(i);
                if (Double.isFinite(w)) {
                    n++;
                    if (Double.isFinite(prev) && w < prev) {
                        final long from = prevStep, to = s;
                        boolean declared = in.events().stream().anyMatch(e -> e.step() >= Math.min(from, to) && e.step() <= Math.max(from, to)
                                && (kind(e).contains("resume") || kind(e).contains("restart")));
                        decreases++;
                        boolean warmup = s <= WARMUP_STEPS && decreases == 1;
                        if (!declared) {
                            Severity sev = warmup ? Severity.WARNING : Severity.FAIL;
                            if (!warmup) {
                                fail = true;
                                reversals++;
                            }
                            findings.add(Finding.of(L5_TIME_NOT_MONOTONE, sev, String.format(
                                    "%s wall time goes back from %.3f s (step %d) to %.3f s (step %d)%s", m.metric(), prev, prevStep, w, s,
                                    warmup ? "; early timer reset after warm-up?" : " without a declared restart")).at(Location.step(s))
                                    .withStatistic(prev - w, 0.0, 1L));
                        }
                    }
                    prev = w;
                }
                prevStep = s;
            }
        }
        if (anyTime) ran++;
        else why.add("no wall times");
        if (ran == 0) return CheckResult.notRun(id(), name(), String.join("; ", why));
        String detail = ran + " of 2 arithmetic checks ran" + (why.isEmpty() ? "" : " (" + String.join("; ", why) + ")")
                + (tokensRan ? String.format(java.util.Locale.ROOT, "; tokens: largest relative error %.3g (fails above %s)", worstRel, cfg.tokenRelTol()) : "")
                + (anyTime ? "; wall time: " + reversals + " undeclared reversal(s) after the warm-up" : "");
        // The statistic shown is that of the rule that decided (issue 13): the token rule when it failed, or ran and the time
        // rule did not fail; otherwise the count of undeclared wall-time reversals (fails above 0).
        if (tokensRan && (tokensFailed || reversals == 0)) {
            return new CheckResult(id(), name(), fail ? CheckStatus.FAIL : CheckStatus.PASS, worstRel, cfg.tokenRelTol(), n, null, null, detail, findings)
                    .decidedBy("tokens vs step x batch x seq, relative error (largest)", Direction.FAILS_ABOVE);
        }
        return new CheckResult(id(), name(), fail ? CheckStatus.FAIL : CheckStatus.PASS, (double) reversals, 0.0, n, null, null, detail, findings)
                .decidedBy("undeclared wall-time reversals after warm-up", Direction.FAILS_ABOVE);
    }

    private static String kind(RunEvent e) {
        return (e.kind() == null ? "" : e.kind()).toLowerCase(Locale.ROOT);
    }

    private static double relErr(double v, double e) {
        return e == 0 ? (v == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.abs(v - e) / e;
    }
}
