package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Severity;

/**
 * Runs the catalogue checks on one input and combines them. Entry point for {@code verify} and
 * {@code analyze}: {@code ConsistencyAnalysis.standard().run(input)}.
 */
public final class ConsistencyAnalysis {
    private final List<ConsistencyCheck> checks;

    public ConsistencyAnalysis(List<ConsistencyCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    /** All implemented checks, in catalogue priority order. */
    public static ConsistencyAnalysis standard() {
        return new ConsistencyAnalysis(List.of(
                new StepZeroLossCheck(), new TimeToLossCheck(), new AdamBoundCheck(), new InitDistributionCheck(), new InitSpectrumCheck(), new InitIndependenceCheck(),
                new AdjacentDependenceCheck(), new WeightNormCheck(), new UpdateDirectionCheck(), new TrajectoryChordCheck(), new IncrementSpectrumCheck(), new ResumeResetCheck(), new LogArithmeticCheck(),
                new ComputeCheck(), new ThroughputCheck(), new LevelShiftCheck(), new SpikeGradNormCheck()));
    }

    public List<ConsistencyCheck> checks() {
        return checks;
    }

    public ConsistencyVerdict run(AnalysisInput in) {
        List<CheckResult> results = new ArrayList<>();
        Set<String> genuineNull = new HashSet<>();
        for (ConsistencyCheck c : checks) {
            CheckResult r;
            try {
                r = c.run(in);
            } catch (IllegalArgumentException | IllegalStateException e) {
                // Malformed stored data (e.g. a sample of the wrong length) makes this one check inconclusive, never a crash.
                r = new CheckResult(c.id(), c.name(), CheckStatus.INCONCLUSIVE, null, null, null, null, null,
                        "could not run: " + e.getMessage(), List.of(Finding.of("CHECK_INPUT_INVALID", Severity.WARNING, e.getMessage())));
            }
            if (c.pValueAgainstGenuineNull()) genuineNull.add(c.id());
            results.add(r);
        }
        if (!in.claims().problems().isEmpty()) {
            results.add(new CheckResult("CLAIMS", "run claims", CheckStatus.INCONCLUSIVE, null, null, null, null, null,
                    "run config fields ignored: " + String.join("; ", in.claims().problems()),
                    in.claims().problems().stream().map(p -> Finding.of(FindingCodes.CLAIM_MALFORMED, Severity.WARNING, p)).toList()));
        }
        return ConsistencyVerdict.combine(results, genuineNull, in.config().verdict().alpha(), RunEvidence.assess(in, results));
    }
}
