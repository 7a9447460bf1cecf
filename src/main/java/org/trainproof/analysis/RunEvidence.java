package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

/**
 * The evidence rule (issue 13): a log is a claim anyone can copy; the weights are the evidence about the
 * model. CONSISTENT needs the initialisation <em>and</em> a trajectory to have been checked:
 * <ul>
 *   <li>E1 — W1 ran on a step-0 checkpoint against the claimed init and PASSed;</li>
 *   <li>E2 — at least {@link #MIN_LATER_CHECKPOINTS} checkpoints after step 0 exist and at least one
 *       trajectory check ({@link #TRAJECTORY}) ran on them and PASSed;</li>
 *   <li>E3 — the chord test W10 ({@link TrajectoryChordCheck}), the only check that tells a trained path from a
 *       schedule-following interpolation with per-checkpoint noise (the "cumlr" and "straight_noise"
 *       constructions), decided and PASSed. It needs two checkpoints strictly between the first and the last,
 *       so at least {@link #MIN_LATER_CHECKPOINTS_W10} after step 0, and residuals above the storage-rounding
 *       floor. Without E3, step 0 + 2 later checkpoints was exit 0 for 8 of 24 interpolation forgeries of the
 *       torch grid (W2, W3, W4, W7 all passed; docs/calibration.md, variant init+2). W11
 *       ({@link IncrementSpectrumCheck}) must have run and PASSed too: increments indistinguishable from i.i.d. noise are
 *       what the smooth random-walk forger gives, which W10 takes for a trained path. W11 needs the checkpoint files:
 *       on ledger samples (verify without --artifacts) it does not run, and the run is INCONCLUSIVE naming
 *       {@code --artifacts DIR} (issue 13: before, such a run was exit 0 with only W10 against that forger). Where W11
 *       cannot run even on the files (no matrix with both sides >= {@value IncrementSpectrumCheck#MIN_DIM}), the run is
 *       INCONCLUSIVE too, saying no recording can fix it: the weights cannot exclude that forgery there.</li>
 * </ul>
 * Anything less (logs only, weights without the initialisation, an initialisation without a trajectory,
 * missing claims) is INCONCLUSIVE and names what is missing; failures still give INCONSISTENT whatever the
 * evidence level, because an inconsistency in what <em>is</em> there needs no more evidence.
 *
 * @param level    how far the evidence goes (from the inputs, not from the checks' outcomes)
 * @param conclusive whether E1 and E2 both hold
 * @param rule     the rule that decided, for the report ("E1+E2: ..." or the first rule that did not hold)
 * @param missing  what to record or give to make the analysis conclusive (empty when conclusive)
 */
public record RunEvidence(Level level, boolean conclusive, String rule, String missing) {
    /** Trajectory checks that can fail on a trajectory (W5, a soft screen, and RESUME, a targeted one, are not counted). */
    public static final Set<String> TRAJECTORY = Set.of("W2", "W3", "W4", "W7");
    /** Later checkpoints needed: W7 and the trajectory tests need at least two updates after the initialisation. */
    public static final int MIN_LATER_CHECKPOINTS = 2;
    /** Later checkpoints W10's coherence rule needs: two between the first (step 0) and the last. */
    public static final int MIN_LATER_CHECKPOINTS_W10 = 3;

    /** Evidence levels, weakest first. */
    public enum Level {
        NONE("no training evidence"),
        LOGS_ONLY("logs only"),
        WEIGHTS_WITHOUT_INIT("weights without initialisation"),
        INIT_WITHOUT_TRAJECTORY("initialisation without trajectory"),
        INIT_AND_TRAJECTORY("initialisation + trajectory");

        private final String label;

        Level(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Assesses the evidence of {@code in} given the checks' results on it. */
    public static RunEvidence assess(AnalysisInput in, List<CheckResult> results) {
        Trajectory tr = in.trajectory();
        boolean step0 = false;
        int later = 0;
        for (int i = 0; i < tr.size(); i++) {
            if (tr.step(i) == 0) step0 = true;
            else if (tr.step(i) > 0) later++;
        }
        Level level;
        if (tr.size() == 0) level = in.metrics().isEmpty() ? Level.NONE : Level.LOGS_ONLY;
        else if (!step0) level = Level.WEIGHTS_WITHOUT_INIT;
        else if (later < MIN_LATER_CHECKPOINTS) level = Level.INIT_WITHOUT_TRAJECTORY;
        else level = Level.INIT_AND_TRAJECTORY;
        return decide(level, results, later);
    }

    /** The rule applied to a level known from the inputs and the checks' results. */
    static RunEvidence decide(Level level, List<CheckResult> results, int laterCheckpoints) {
        Map<String, CheckResult> byId = results.stream().collect(Collectors.toMap(CheckResult::id, Function.identity(), (a, b) -> a));
        switch (level) {
            case NONE:
                return new RunEvidence(level, false, "E1: no checkpoint and no log",
                        "record the step-0 checkpoint, checkpoints during training and the training log");
            case LOGS_ONLY:
                return new RunEvidence(level, false, "E1: logs only — a log is a claim, the weights are the evidence",
                        "record the step-0 checkpoint and checkpoints during training");
            case WEIGHTS_WITHOUT_INIT:
                return new RunEvidence(level, false, "E1: no checkpoint at step 0, so the initialisation is unchecked",
                        "record the step-0 checkpoint");
            default:
                break;
        }
        CheckResult w1 = byId.get("W1");
        boolean e1 = w1 != null && w1.status() == CheckStatus.PASS;
        List<String> passed = new ArrayList<>();
        List<String> why = new ArrayList<>();
        for (String id : List.of("W2", "W3", "W4", "W7")) {
            CheckResult r = byId.get(id);
            if (r == null) continue;
            if (r.status() == CheckStatus.PASS) passed.add(id);
            else why.add(id + " " + r.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + (r.detail() == null ? "" : ": " + r.detail()));
        }
        if (!e1) {
            String w1why = w1 == null ? "not run" : w1.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + (w1.detail() == null ? "" : ": " + w1.detail());
            String fix = w1 != null && w1.detail() != null && w1.detail().startsWith("missing claim")
                    ? "give the run-config with the init claim" : "give the run-config and the step-0 checkpoint so W1 can run";
            return new RunEvidence(level, false, "E1: the initialisation check W1 did not pass (" + w1why + ")", fix);
        }
        if (level == Level.INIT_WITHOUT_TRAJECTORY) {
            return new RunEvidence(level, false, "E2: " + laterCheckpoints + " checkpoint(s) after step 0, fewer than " + MIN_LATER_CHECKPOINTS,
                    "record checkpoints during training (at least " + MIN_LATER_CHECKPOINTS + " after step 0)");
        }
        if (passed.isEmpty()) {
            return new RunEvidence(level, false, "E2: no trajectory check passed (" + String.join("; ", why) + ")",
                    "give the run-config (optimizer, lr_schedule) so the trajectory checks can run");
        }
        CheckResult w10 = byId.get("W10");
        if (w10 == null || w10.status() != CheckStatus.PASS) {
            String w10why = w10 == null ? "not run" : w10.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + (w10.detail() == null ? "" : ": " + w10.detail());
            String fix;
            if (laterCheckpoints < MIN_LATER_CHECKPOINTS_W10) {
                fix = "record at least " + MIN_LATER_CHECKPOINTS_W10 + " checkpoints after step 0 (have " + laterCheckpoints
                        + "): W10 needs two between the first and the last to tell a trained path from an interpolation";
            } else if (w10 != null && w10.detail() != null && w10.detail().contains("storage-rounding floor")) {
                fix = "record checkpoints in F32, or further apart, so the path rises above the storage rounding and W10 can tell a trained"
                        + " path from an interpolation";
            } else {
                fix = "give checkpoints on which W10 (trajectory against its chord) can decide";
            }
            return new RunEvidence(level, false, "E3: the chord test W10, which tells a trained path from an interpolation, did not pass ("
                    + w10why + ")", fix);
        }
        CheckResult w11 = byId.get("W11");
        if (w11 == null || w11.status() == CheckStatus.NOT_RUN) {
            // W11 is the only check that tells a smooth random-walk forgery from a trained path (docs/checks.md): without it,
            // exit 0 would rest on checks that forgery passes (14 of its 16 grid runs exited 0 before W11), so no silent pass.
            String detail = w11 == null || w11.detail() == null ? "" : w11.detail();
            String rule = "E3: W11 (the increments between checkpoints against i.i.d. noise), the only check that tells a smooth random-walk"
                    + " forgery from a trained path, did not run (" + (detail.isEmpty() ? "not run" : detail) + ")";
            String fix;
            String samplesOnly = org.trainproof.verdict.Headline.SAMPLES_ONLY + "; W11 (the increments between checkpoints against i.i.d."
                    + " noise), the only check that tells a smooth random-walk forgery from a trained path, needs the checkpoint matrices (not run: "
                    + detail + ")";
            if (detail.contains(Trajectory.SHARDED)) {
                rule = samplesOnly;
                fix = "nothing verify can do for sharded checkpoints: W11 needs whole matrices, which verify does not assemble from shards"
                        + " (docs/distributed.md), so a random walk around an interpolation is not excluded";
            } else if (detail.contains(Trajectory.FILES_MISSING)) {
                rule = samplesOnly;
                fix = "give every checkpoint file the ledger names under --artifacts DIR (see ARTIFACT_MISSING) so W11 can test the increments"
                        + " between checkpoints";
            } else if (detail.contains("checkpoint files")) {
                rule = samplesOnly;
                fix = org.trainproof.verdict.Headline.FILES_FIX + " so W11 can test the increments between checkpoints";
            } else if (detail.startsWith("no matrix")) {
                fix = "nothing can: the checkpoints hold no weight matrix with both sides >= " + IncrementSpectrumCheck.MIN_DIM
                        + ", so W11 can never test the increments' structure and a random walk around an interpolation cannot be told from"
                        + " training by the weights (" + detail + ")";
            } else {
                fix = "give checkpoints on which W11 can run (" + (detail.isEmpty() ? "it did not run" : detail) + ")";
            }
            return new RunEvidence(level, false, rule, fix);
        }
        if (w11.status() != CheckStatus.PASS) {
            return new RunEvidence(level, false, "E3: the increments between checkpoints show no structure beyond i.i.d. noise (W11 "
                    + w11.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + (w11.detail() == null ? "" : ": " + w11.detail()) + ")",
                    "record checkpoints whose updates rise above the storage rounding (F32, or further apart): W11 could not tell this"
                            + " trajectory from a random walk added to an interpolation");
        }
        return new RunEvidence(level, true, "E1+E2+E3: W1 passed on the step-0 checkpoint; " + String.join(", ", passed) + ", W10 and W11"
                + " passed over " + laterCheckpoints + " later checkpoints", "");
    }

    /** One line for reports: "initialisation + trajectory (E1+E2: ...)". */
    public String describe() {
        return level.label() + " — " + (conclusive ? "conclusive" : "not conclusive") + "; rule " + rule
                + (missing.isEmpty() ? "" : "; to make it conclusive: " + missing);
    }
}
