package org.trainproof.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.cli.Cli;

/** The terminal verdict line is at most 160 characters; the full statement follows it and stays whole in JSON (issue 18). */
class HeadlineTest {
    private static final String LONG = "INCONSISTENT: " + "the update directions between checkpoints do not match the claimed optimiser; ".repeat(8);

    private static Report longReport() {
        Finding f = Finding.of("W3_FAIL", Severity.FAIL, "x");
        return Report.of("analyze", "run", List.of(
                new CheckResult("L1", "step-0 loss", CheckStatus.PASS, 1.0, 2.0, 1L, null, null, null, List.of()),
                new CheckResult("W3", "update direction ".repeat(20), CheckStatus.FAIL, 0.1, 0.5, 10L, null, null, null, List.of(f)),
                new CheckResult("W4", "weight norm", CheckStatus.FAIL, 0.1, 0.5, 10L, null, null, null, List.of())),
                Outcome.INCONSISTENT, LONG, List.of(), Map.of());
    }

    @Test
    void longStatement_shortHeadlineNamingTheFailingCheck_statementWholeBelowAndInJson() {
        assertTrue(LONG.length() > 600);
        Report r = longReport();
        StringWriter s = new StringWriter();
        new TextReport(false).verdictLine(r, new PrintWriter(s, true));
        List<String> lines = s.toString().lines().toList();
        assertTrue(lines.get(0).length() <= 160, lines.get(0).length() + ": " + lines.get(0));
        assertTrue(lines.get(0).startsWith("INCONSISTENT (exit 6): failing check W3 (update direction"), lines.get(0));
        assertTrue(lines.get(0).endsWith(", 1 finding; 1 more failing"), lines.get(0));
        assertEquals("  " + LONG, lines.get(1));
        JsonNode j = JsonReport.toJson(r);
        assertEquals(LONG, j.get("statement").asText());
        assertEquals(lines.get(0), j.get("headline").asText());
        org.trainproof.SchemaValidation.assertValid("report.schema.json", j);
    }

    @Test
    void realTamperedLedger_firstLineIsShortAndNamesTheIntegrityCheck() {
        Path db = Path.of("fixtures", "tampered", "entry-byte", "ledger.db");
        assumeTrue(Files.exists(db), "no committed fixtures");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), "verify", db.toString(), "--quiet");
        assertEquals(1, code, out + "" + err);
        String first = out.toString().lines().findFirst().orElseThrow();
        assertTrue(first.length() <= 160, first);
        assertTrue(first.startsWith("INTEGRITY FAILURE (exit 1): failing check INTEGRITY"), first);
        assertTrue(out.toString().contains("\n  INTEGRITY FAILURE: the ledger or files do not match"), out.toString());
    }

    /**
     * Issue 13: an honest, intact run verified from the ledger alone is inconclusive (W11 needs the checkpoint files) and the
     * first line says why and what to give; with --artifacts the same run is consistent (exit 0).
     */
    @Test
    void verifyWithoutArtifacts_headlineSaysTrajectoryFromSamplesOnly_withArtifactsExit0() {
        Path dir = Path.of("fixtures", "scratch");
        assumeTrue(Files.exists(dir.resolve("ledger.db")), "no committed fixtures");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), "verify", dir.resolve("ledger.db").toString(), "--key",
                dir.resolve("signer.pub").toString(), "--quiet");
        assertEquals(5, code, out + "" + err);
        String first = out.toString().lines().findFirst().orElseThrow();
        assertTrue(first.length() <= 160, first);
        assertEquals("INCONCLUSIVE (exit 5): trajectory checked from the ledger's samples only; W11 needs the checkpoint files (--artifacts DIR)",
                first);
        StringWriter out2 = new StringWriter();
        int full = Cli.run(new PrintWriter(out2), new PrintWriter(new StringWriter()), "verify", dir.resolve("ledger.db").toString(), "--key",
                dir.resolve("signer.pub").toString(), "--artifacts", dir.toString(), "--quiet");
        assertEquals(0, full, out2.toString());
    }
}
