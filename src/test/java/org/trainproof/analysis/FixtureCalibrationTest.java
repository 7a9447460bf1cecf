package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;

/**
 * The analysis on the committed fixture runs (issue 5), from the ledger view (name-seeded samples) and
 * the artifacts view (auditor positions). Prints every check's status and statistic — the calibration
 * record — and asserts each scenario's EXPECTED verdict. Skips when fixtures/ is absent.
 */
class FixtureCalibrationTest {
    static final Path ROOT = Path.of(System.getProperty("trainproof.fixtures", "fixtures"));

    @Test
    void fixtures_getExpectedVerdicts() throws Exception {
        assumeTrue(Files.isDirectory(ROOT), "no fixtures/ directory");
        ObjectMapper om = new ObjectMapper();
        List<String> mismatches = new ArrayList<>();
        int n = 0;
        try (var dirs = Files.list(ROOT)) {
            for (Path d : dirs.sorted().toList()) {
                if (!Files.exists(d.resolve("EXPECTED.json")) || !Files.exists(d.resolve("run-config.json"))) continue;
                FixtureLoader f = new FixtureLoader(d);
                if (f.values.isEmpty()) continue;
                JsonNode exp = om.readTree(d.resolve("EXPECTED.json").toFile());
                String expected = exp.path("verdict").asText();
                for (boolean exact : new boolean[] {false, true}) {
                    String want = expected;
                    ConsistencyVerdict v = ConsistencyAnalysis.standard().run(exact ? f.exactInput(424242L, 256) : f.input());
                    n++;
                    String got = v.outcome().label();
                    // EXPECTED.json is the verdict with the files (its verify_args: --artifacts). From the ledger's samples alone
                    // W11 cannot run, so an honest run is inconclusive there, naming the files (issue 13, rule E3); accusations stay.
                    if (!exact && want.equals("consistent")) {
                        want = "inconclusive";
                        if (!v.evidence().missing().contains("--artifacts DIR")) {
                            mismatches.add(d.getFileName() + " ledger: the missing evidence does not name --artifacts DIR: " + v.evidence().missing());
                        }
                    }
                    System.out.printf("%-20s %-8s want %-12s got %-12s %s%n", d.getFileName(), exact ? "exact" : "ledger", want, got,
                            v.checks().stream().map(c -> c.id() + "=" + c.status() + (c.statistic() == null ? "" : String.format("(%.3g)", c.statistic())))
                                    .collect(Collectors.joining(" ")));
                    if (!got.equals(want)) mismatches.add(d.getFileName() + (exact ? " exact" : " ledger") + ": want " + want + " got " + got);
                    for (JsonNode c : exp.path("checks")) {
                        String id = c.asText();
                        CheckResult r = v.checks().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
                        if (r != null && r.status() != CheckStatus.FAIL) {
                            System.out.printf("    expected %s to fail, got %s: %s%n", id, r.status(), r.detail());
                        }
                    }
                }
            }
        }
        assumeTrue(n > 0, "no fixture with checkpoints");
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }
}
