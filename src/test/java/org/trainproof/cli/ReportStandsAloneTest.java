package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.SchemaValidation;
import org.trainproof.ledger.Ledger;

/**
 * Every report kind (verify, analyze, compare) carries, in all three renderings (terminal, JSON, HTML):
 * tool version, creation time (UTC), the command line, the ledger's origin/root/size (or says there is
 * none), the run's claims, the auditor seed and the evidence level (issue 18). The ledger's origin,
 * size and root are read from its signed checkpoint note, the claims from the fixture's run-config
 * file, not from the report code.
 */
class ReportStandsAloneTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path SCRATCH = Path.of("fixtures", "scratch");
    static final Path DERIVED = Path.of("fixtures", "derived");

    @TempDir
    Path dir;

    private int runs;

    /** What one run printed and wrote. */
    record Written(String terminal, JsonNode json, String html, List<String> argv) {}

    private Written run(List<Object> args) throws Exception {
        int n = runs++;
        Path json = dir.resolve("r" + n + ".json"), html = dir.resolve("r" + n + ".html");
        List<Object> all = new ArrayList<>(args);
        all.addAll(List.of("--json", json, "--report", html));
        CliRun r = CliRun.run(all.toArray());
        assertTrue(r.code() == 0 || r.code() == 5 || r.code() == 6, r.toString());
        JsonNode j = JSON.readTree(json.toFile());
        SchemaValidation.assertValid("report.schema.json", j);
        List<String> argv = new ArrayList<>(List.of("trainproof"));
        for (Object o : all) argv.add(String.valueOf(o));
        return new Written(r.out(), j, Files.readString(html), argv);
    }

    /** origin, size, hex root of the ledger's latest signed checkpoint note (C2SP tlog-checkpoint: three lines). */
    private static String[] signedHead(Path db) {
        try (Ledger l = Ledger.openReadOnly(db)) {
            String[] lines = l.latestCheckpointNote().split("\n");
            return new String[] {lines[0], lines[1], HexFormat.of().formatHex(Base64.getDecoder().decode(lines[2]))};
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    /** The parts every report carries, checked in all three renderings. */
    private static void assertStandsAlone(Written w, String seedValue) {
        String t = w.terminal(), h = w.html();
        JsonNode p = w.json().get("provenance");
        // tool and build
        assertEquals("trainproof", p.get("tool").asText());
        String version = p.get("tool_version").asText();
        assertTrue(t.contains("report: trainproof " + version), t);
        assertTrue(h.contains("trainproof " + esc(version)), "HTML names the tool version");
        // creation time, UTC
        String created = p.get("created").asText();
        assertTrue(created.endsWith("Z") && !Instant.parse(created).isAfter(Instant.now()), created);
        Matcher m = Pattern.compile("created (\\S+Z) \\(UTC\\)").matcher(t);
        assertTrue(m.find(), t);
        assertEquals(created, m.group(1), "terminal and JSON of one run carry one creation time");
        assertTrue(h.contains(created), "HTML creation time");
        // command line
        List<String> cl = new ArrayList<>();
        p.get("command_line").forEach(n -> cl.add(n.asText()));
        assertEquals(w.argv(), cl);
        assertTrue(t.contains("command line: " + String.join(" ", w.argv())), t);
        assertTrue(h.contains(esc(String.join(" ", w.argv()))), "HTML command line");
        // auditor seed and evidence level, identical in all three
        String seed = w.json().get("parameters").get("auditor seed").asText();
        assertTrue(seed.startsWith(seedValue), seed);
        String evidence = w.json().get("parameters").get("evidence level").asText();
        assertTrue(!evidence.isBlank(), "evidence level");
        assertTrue(t.contains("auditor seed: " + seed), t);
        assertTrue(t.contains("evidence level: " + evidence), t);
        assertTrue(h.contains(esc(seed)) && h.contains(esc(evidence)), "HTML seed and evidence level");
    }

    @Test
    void verify_terminalJsonHtml_carryProvenanceLedgerClaimsSeedAndEvidence() throws Exception {
        assumeTrue(Files.isRegularFile(SCRATCH.resolve("ledger.db")), "fixtures/scratch absent");
        Path db = SCRATCH.resolve("ledger.db");
        Written w = run(List.of("verify", db, "--key", SCRATCH.resolve("signer.pub"), "--artifacts", SCRATCH, "--seed", "7"));
        assertStandsAlone(w, "7 (reproduce with --seed 7)");
        String[] head = signedHead(db);
        JsonNode i = w.json().get("integrity");
        assertEquals(head[0], i.get("origin").asText());
        assertEquals(Long.parseLong(head[1]), i.get("entries").asLong());
        assertEquals(head[2], i.get("root").asText());
        assertTrue(w.terminal().contains("ledger: " + db + ", origin " + head[0] + ", " + head[1] + " entries, root " + head[2]), w.terminal());
        assertTrue(w.html().contains(head[2]) && w.html().contains(esc(head[0])), "HTML ledger root and origin");
        assertTrue(w.json().get("parameters").get("evidence level").asText().startsWith("initialisation + trajectory"), w.json().toString());
        JsonNode claims = JSON.readTree(SCRATCH.resolve("run-config.json").toFile());
        assertEquals(claims, w.json().get("provenance").get("claims"));
        assertEquals(claims, terminalClaims(w.terminal()));
        assertTrue(w.html().contains("&quot;peak_lr&quot; : 0.01"), "HTML claims");
    }

    @Test
    void verify_withoutArtifacts_saysNoSeedWasUsed() throws Exception {
        assumeTrue(Files.isRegularFile(SCRATCH.resolve("ledger.db")), "fixtures/scratch absent");
        Written w = run(List.of("verify", SCRATCH.resolve("ledger.db"), "--key", SCRATCH.resolve("signer.pub")));
        assertStandsAlone(w, "none used: no files re-read");
    }

    @Test
    void analyze_terminalJsonHtml_sayThereIsNoLedger_andCarryTheRunConfig() throws Exception {
        assumeTrue(Files.isRegularFile(SCRATCH.resolve("log.jsonl")), "fixtures/scratch absent");
        List<Object> args = new ArrayList<>(List.of("analyze", "--run-config", SCRATCH.resolve("run-config.json"), "--seed", "3",
                SCRATCH.resolve("log.jsonl")));
        try (Stream<Path> s = Files.list(SCRATCH)) {
            s.filter(p -> p.toString().endsWith(".safetensors")).sorted().forEach(args::add);
        }
        Written w = run(args);
        assertStandsAlone(w, "3 (reproduce with --seed 3)");
        assertTrue(w.terminal().contains("ledger: none"), w.terminal());
        assertTrue(w.json().get("not_checked").toString().contains("integrity: no ledger"), w.json().toString());
        assertTrue(w.html().contains("integrity: no ledger"), "HTML says there is no ledger");
        JsonNode claims = JSON.readTree(SCRATCH.resolve("run-config.json").toFile());
        assertEquals(claims, w.json().get("provenance").get("claims"));
        assertEquals(claims, terminalClaims(w.terminal()));

        // logs only: no checkpoint sampled, and the report says so rather than leaving the seed out
        Written logs = run(List.of("analyze", SCRATCH.resolve("log.jsonl")));
        assertStandsAlone(logs, "none used: no checkpoint files given");
        assertTrue(logs.terminal().contains("claims: none"), logs.terminal());
    }

    @Test
    void compare_ledgerAtStep_terminalJsonHtml_carryLedgerOriginSizeRootAndEvidence() throws Exception {
        assumeTrue(Files.isRegularFile(DERIVED.resolve("ledger.db")), "fixtures/derived absent");
        Path a = SCRATCH.resolve("ledger.db");
        Written w = run(List.of("compare", a + "@200", DERIVED.resolve("step-75.safetensors"), "--permutations", "99", "--seed", "5"));
        assertStandsAlone(w, "5 (reproduce with --seed 5)");
        String[] head = signedHead(a);
        String ledgerA = w.json().get("parameters").get("ledger a").asText();
        assertTrue(ledgerA.startsWith(a + ": origin " + head[0] + ", " + head[1] + " entries, root " + head[2]), ledgerA);
        assertTrue(ledgerA.contains("step-200.safetensors"), ledgerA);
        assertTrue(w.terminal().contains("ledger a: " + ledgerA), w.terminal());
        assertTrue(w.html().contains(esc(ledgerA)), "HTML ledger a");
        assertTrue(!w.json().get("parameters").has("ledger b"), "B is a file as given");
        assertTrue(w.json().get("parameters").get("evidence level").asText().startsWith("one checkpoint certified by a ledger (A"),
                w.json().toString());
        assertEquals(JSON.readTree(SCRATCH.resolve("run-config.json").toFile()), terminalClaims(w.terminal()).get("a"));

        // two files: weights only, and no ledger
        Written files = run(List.of("compare", SCRATCH.resolve("step-200.safetensors"), DERIVED.resolve("step-75.safetensors"),
                "--permutations", "99"));
        assertStandsAlone(files, "1 (reproduce with --seed 1)");
        assertTrue(files.json().get("parameters").get("evidence level").asText().startsWith("weights only"), files.json().toString());
        assertTrue(files.terminal().contains("ledger: none"), files.terminal());
    }

    /** The claims line of the terminal report, parsed as JSON. */
    private static JsonNode terminalClaims(String terminal) throws Exception {
        for (String line : terminal.split("\n")) {
            if (line.startsWith("claims (")) return JSON.readTree(line.substring(line.indexOf(": {") + 2));
        }
        throw new AssertionError("no claims line in:\n" + terminal);
    }
}
