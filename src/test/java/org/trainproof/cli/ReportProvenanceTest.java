package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.SchemaValidation;

/** Reports stand alone (issue 18): tool version, creation time (UTC), the command line and the run's claims, in JSON and HTML. */
class ReportProvenanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRATCH = Path.of("fixtures", "scratch");

    @TempDir
    Path tmp;

    private static String run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        Cli.run(new PrintWriter(out), new PrintWriter(err), args);
        return out + "" + err;
    }

    /** Checks the provenance block against the arguments given and the time window of the run. */
    private static JsonNode provenance(Path json, String[] argv, Instant before) throws IOException {
        JsonNode report = JSON.readTree(json.toFile());
        SchemaValidation.assertValid("report.schema.json", report);
        JsonNode p = report.get("provenance");
        assertEquals("trainproof", p.get("tool").asText());
        assertEquals("dev", p.get("tool_version").asText(), "tests run from classes, without the jar manifest");
        Instant created = Instant.parse(p.get("created").asText());
        assertTrue(p.get("created").asText().endsWith("Z"), "UTC");
        assertTrue(!created.isBefore(before.minusSeconds(1)) && !created.isAfter(Instant.now()), created + " not within the run");
        List<String> cl = new ArrayList<>();
        p.get("command_line").forEach(n -> cl.add(n.asText()));
        List<String> expected = new ArrayList<>(List.of("trainproof"));
        expected.addAll(List.of(argv));
        assertEquals(expected, cl);
        return p;
    }

    @Test
    void verify_jsonAndHtml_carryVersionTimeCommandLineAndTheLedgersRunConfig() throws IOException {
        assumeTrue(Files.isDirectory(SCRATCH), "no committed fixtures");
        Path json = tmp.resolve("r.json"), html = tmp.resolve("r.html");
        String[] argv = {"verify", SCRATCH.resolve("ledger.db").toString(), "--key", SCRATCH.resolve("signer.pub").toString(),
            "--json", json.toString(), "--report", html.toString()};
        Instant before = Instant.now();
        String o = run(argv);
        JsonNode p = provenance(json, argv, before);
        // the run-config the fixture was recorded with (written by the fixture generator, not by this code)
        JsonNode recorded = JSON.readTree(SCRATCH.resolve("run-config.json").toFile());
        assertEquals(recorded, p.get("claims"), o);
        assertTrue(p.get("claims_source").asText().contains("genesis"), p.toString());
        String page = Files.readString(html);
        assertTrue(page.contains("<section id=\"provenance\">"), "HTML has a provenance section");
        assertTrue(page.contains(p.get("created").asText()), "HTML shows the creation time");
        assertTrue(page.contains("--report " + html), "HTML shows the command line");
        assertTrue(page.contains("&quot;peak_lr&quot; : 0.01"), "HTML shows the claims");
    }

    @Test
    void analyze_carriesTheRunConfigFileItWasGiven() throws IOException {
        assumeTrue(Files.isDirectory(SCRATCH), "no committed fixtures");
        Path json = tmp.resolve("a.json");
        String[] argv = {"analyze", SCRATCH.resolve("log.jsonl").toString(), "--run-config", SCRATCH.resolve("run-config.json").toString(),
            "--json", json.toString()};
        Instant before = Instant.now();
        String o = run(argv);
        JsonNode p = provenance(json, argv, before);
        assertEquals(JSON.readTree(SCRATCH.resolve("run-config.json").toFile()), p.get("claims"), o);

        // without a run-config: claims null, and the source says there are none
        Path json2 = tmp.resolve("b.json");
        String[] argv2 = {"analyze", SCRATCH.resolve("log.jsonl").toString(), "--json", json2.toString()};
        Instant before2 = Instant.now();
        run(argv2);
        JsonNode p2 = provenance(json2, argv2, before2);
        assertTrue(p2.get("claims").isNull(), p2.toString());
        assertTrue(p2.get("claims_source").asText().startsWith("none"), p2.toString());
    }

    @Test
    void compare_ledgerAtStep_carriesBothLedgersClaims() throws IOException {
        assumeTrue(Files.isDirectory(SCRATCH), "no committed fixtures");
        Path json = tmp.resolve("c.json");
        String[] argv = {"compare", SCRATCH.resolve("ledger.db") + "@200", Path.of("fixtures", "derived", "ledger.db") + "@75",
            "--json", json.toString()};
        String o = run(argv);
        JsonNode p = provenance(json, argv, Instant.now().minus(Duration.ofMinutes(5)));
        assertEquals(JSON.readTree(SCRATCH.resolve("run-config.json").toFile()), p.get("claims").get("a"), o);
        assertTrue(p.get("claims").has("b"), p.toString());
    }
}
