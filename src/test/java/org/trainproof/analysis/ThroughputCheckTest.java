package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

/** C2 on synthetic step times (each rule both ways) and on the real logs that carry step times. */
class ThroughputCheckTest {
    private static final Path LOGS = Path.of("..", "shared", "realdata", "logs");
    private final ThroughputCheck check = new ThroughputCheck();

    /** Per-step ms: 120 ms × lognormal 5 % noise, a 10× slow step (checkpoint save) every 250 steps, ×factor from {@code at}. */
    private static MetricSeries stepTimes(int n, long at, double factor, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] st = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = i;
            v[i] = 120 * Math.exp(0.05 * r.nextGaussian()) * (i >= at ? factor : 1) * (i % 250 == 249 ? 10 : 1);
        }
        return new MetricSeries("train/step_time_ms", st, v);
    }

    private CheckResult run(MetricSeries m, List<RunEvent> events) {
        return check.run(new AnalysisInput(null, Map.of(m.metric(), m), null, events, null));
    }

    @Test
    void stationaryWithSaveSpikesPasses_acrossSeeds() {
        for (long seed = 1; seed <= 20; seed++) {
            CheckResult r = run(stepTimes(2000, Long.MAX_VALUE, 1, seed), List.of());
            assertEquals(CheckStatus.PASS, r.status(), "seed " + seed + ": " + r.detail() + " " + r.findings());
        }
    }

    @Test
    void persistentSlowdownFlaggedAtItsStep_unlessDeclared() {
        CheckResult r = run(stepTimes(2000, 1200, 1.3, 7), List.of());
        assertEquals(CheckStatus.INCONCLUSIVE, r.status(), r.detail());
        assertEquals(1, r.findings().size(), r.findings().toString());
        var f = r.findings().get(0);
        assertEquals(FindingCodes.C2_THROUGHPUT_SHIFT, f.code());
        assertTrue(Math.abs(f.location().step() - 1200) <= 20, "located at " + f.location().step());
        assertEquals(1.3, f.statistic(), 0.05);
        // A declared restart at that step explains it.
        CheckResult declared = run(stepTimes(2000, 1200, 1.3, 7), List.of(new RunEvent(1195, "restart", "new nodes")));
        assertEquals(CheckStatus.PASS, declared.status(), declared.findings().toString());
        // A change within the catalogue's ±10 % band is not a finding, however clean.
        assertEquals(CheckStatus.PASS, run(stepTimes(2000, 1200, 1.08, 7), List.of()).status());
        // A speed-up counts as much as a slow-down.
        CheckResult fast = run(stepTimes(2000, 1200, 1 / 1.3, 7), List.of());
        assertEquals(1, fast.findings().size(), fast.detail());
    }

    @Test
    void cumulativeTimeUnderAPerStepNameIsDifferenced() {
        int n = 500;
        long[] st = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            st[i] = i;
            v[i] = 0.05 * i;
        }
        MetricSeries m = new MetricSeries("train/step_time_ms", st, v);
        assertTrue(ThroughputCheck.cumulative(m));
        CheckResult r = run(m, List.of());
        assertEquals(CheckStatus.PASS, r.status(), r.detail());
        assertTrue(r.detail().contains("never decreases"), r.detail());
        assertTrue(!ThroughputCheck.cumulative(stepTimes(500, Long.MAX_VALUE, 1, 3)));
    }

    @Test
    void noTimesNotRun_fewTimesInconclusive() {
        assertEquals(CheckStatus.NOT_RUN, check.run(new AnalysisInput(null, Map.of(), null, null, null)).status());
        assertEquals(CheckStatus.INCONCLUSIVE, run(stepTimes(30, Long.MAX_VALUE, 1, 1), List.of()).status());
    }

    /**
     * The llm.c log (19,560 steps on one cluster, per-step ms): stationary as logged; the same times with
     * every step from 10,000 on ×1.25 (a slower node set) are flagged there — sensitivity on real noise.
     */
    @Test
    void realLlmcLog_stationary_andAnInjectedShiftIsFound() {
        Path f = LOGS.resolve("llmc-stdout/hectorfcardenas-gpt2_train.11685414.log");
        assumeTrue(Files.isRegularFile(f), "../shared/realdata/logs absent");
        AnalysisInput in = RunInputs.fromFiles(List.of(f), RunClaims.none(), 1, null, new ArrayList<>());
        MetricSeries m = in.metric("train/step_time_ms").orElseThrow();
        CheckResult r = run(m, List.of());
        assertEquals(CheckStatus.PASS, r.status(), r.detail() + " " + r.findings());
        double[] v = m.values();
        long[] st = m.steps();
        for (int i = 0; i < v.length; i++) if (st[i] >= 10_000) v[i] *= 1.25;
        CheckResult shifted = run(new MetricSeries(m.metric(), st, v), List.of());
        assertEquals(CheckStatus.INCONCLUSIVE, shifted.status(), shifted.detail());
        assertEquals(1, shifted.findings().size(), shifted.findings().toString());
        assertNotNull(shifted.findings().get(0).location());
        assertTrue(Math.abs(shifted.findings().get(0).location().step() - 10_000) <= 200, shifted.findings().toString());
    }

    /** No real log with step times gets a C2 finding (genuine single-cluster runs; printed for the record). */
    @Test
    void realLogs_noShiftFlagged() throws Exception {
        assumeTrue(Files.isRegularFile(LOGS.resolve("MANIFEST.tsv")), "../shared/realdata/logs absent");
        int ran = 0;
        List<String> manifest = Files.readAllLines(LOGS.resolve("MANIFEST.tsv"));
        for (String line : manifest.subList(1, manifest.size())) {
            if (line.isBlank()) continue;
            Path f = LOGS.resolve(line.split("\t")[0]);
            AnalysisInput in = RunInputs.fromFiles(List.of(f), RunClaims.none(), 1, null, new ArrayList<>());
            CheckResult r = check.run(in);
            System.out.printf("C2 %-60s %s %s%n", f.getFileName(), r.status(), r.detail());
            assertTrue(r.findings().isEmpty(), f + ": " + r.findings());
            if (r.status() == CheckStatus.PASS) ran++;
        }
        assertTrue(ran >= 5, "C2 ran on " + ran + " real logs");
    }
}
