package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.crypto.KeyFiles;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerEntry;

/** Issue 19: {@code record --serve}, one long-running appender answering each request once it is durable. */
class RecordServeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Path key;
    Path db;

    @BeforeEach
    void setUp() {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
        db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/1").code());
    }

    /** Runs a session over {@code lines} in-process; returns the answers by input line (the ready line under 0). */
    private Map<Long, JsonNode> serve(List<String> lines) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RecordServer.serve(db, KeyFiles.readPrivate(key, null), new TrustedTimeOptions(), null, null,
                new BufferedReader(new StringReader(String.join("\n", lines) + "\n")), new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        Map<Long, JsonNode> byLine = new HashMap<>();
        for (String s : out.toString().split("\n")) {
            JsonNode n = JSON.readTree(s);
            long line = n.has("ready") ? 0 : n.get("line").asLong();
            assertFalse(byLine.containsKey(line), "two answers for line " + line + ": " + out);
            byLine.put(line, n);
        }
        return byLine;
    }

    private List<LedgerEntry> entries() {
        try (Ledger l = Ledger.openReadOnly(db)) {
            return l.entries();
        }
    }

    private void assertVerifies() {
        CliRun v = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--artifacts", dir, "--integrity-only");
        assertEquals(0, v.code(), v.toString());
    }

    @Test
    void pipelinedEvents_eachAnsweredOnceDurable_andShareCommits() throws Exception {
        int n = 300;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) lines.add("{\"id\":" + i + ",\"step\":" + i + ",\"event\":\"e" + i + "\"}");
        Map<Long, JsonNode> answers = serve(lines);
        assertEquals(1, answers.get(0L).get("size").asLong(), "ready line gives the ledger size (genesis only)");
        Set<Long> seqs = new HashSet<>();
        Set<Long> trees = new HashSet<>();
        List<LedgerEntry> stored = entries();
        for (long line = 1; line <= n; line++) {
            JsonNode a = answers.get(line);
            assertTrue(a.get("ok").asBoolean(), a.toString());
            assertEquals(line - 1, a.get("id").asLong());
            JsonNode e = a.get("entries").get(0);
            long seq = e.get("seq").asLong();
            assertTrue(seqs.add(seq));
            // The acknowledged entry is the stored one: same text, same leaf hash; under a checkpoint covering it.
            assertEquals("e" + (line - 1), stored.get((int) seq).body().get("text").asText());
            assertEquals(stored.get((int) seq).leafHash().toString(), e.get("leaf").asText());
            long tree = a.get("tree_size").asLong();
            assertTrue(tree > seq, a.toString());
            trees.add(tree);
        }
        assertEquals(n + 1, stored.size());
        // All 300 were read before most had committed: commits carried several requests each.
        assertTrue(trees.size() < n, "no two requests shared a commit (" + trees.size() + " commits)");
        System.out.println("serve: " + n + " pipelined requests in " + trees.size() + " commits");
        assertVerifies();
    }

    @Test
    void badRequests_failAlone_withLineAndReason_andTheSessionGoesOn() throws Exception {
        Path ck = Files.writeString(dir.resolve("model_50.bin"), "weights at 50");
        Path log = dir.resolve("train.jsonl");
        Files.writeString(log, "{\"step\":1,\"loss\":2.5}\n{\"step\":2,\"loss\":2.4}\n");
        List<String> lines = List.of(
                "{\"step\":1,\"event\":\"first\"}",                          // 1 ok
                "not json",                                                    // 2 usage
                "{\"step\":2,\"evnt\":\"typo\"}",                              // 3 unknown field
                "{\"event\":\"no step\"}",                                     // 4 --step required
                "{\"step\":50,\"checkpoint\":\"model_50.bin\",\"log\":\"train.jsonl\"}", // 5 ok: metrics + checkpoint
                "{\"step\":40,\"checkpoint\":\"model_50.bin\"}",               // 6 step goes back: exit 3
                "{\"log\":\"missing.jsonl\"}",                                 // 7 bad input
                "{\"log\":\"train.jsonl\"}",                                   // 8 ok, nothing new
                "{\"step\":\"x\",\"event\":\"bad step\"}",                     // 9 usage
                "[1,2]",                                                       // 10 not an object
                "{\"step\":51,\"event\":\"last\"}");                           // 11 ok
        String cwd = System.getProperty("user.dir");
        Map<Long, JsonNode> a;
        // Relative paths resolve against the working directory, as for `record`: give absolute ones here.
        List<String> abs = new ArrayList<>();
        for (String s : lines) abs.add(s.replace("\"model_50.bin\"", JSON.writeValueAsString(ck.toString()))
                .replace("\"train.jsonl\"", JSON.writeValueAsString(log.toString()))
                .replace("\"missing.jsonl\"", JSON.writeValueAsString(dir.resolve("missing.jsonl").toString())));
        a = serve(abs);
        assertEquals(cwd, System.getProperty("user.dir"));
        assertTrue(a.get(1L).get("ok").asBoolean(), a.get(1L).toString());
        assertError(a.get(2L), 2, "not JSON");
        assertError(a.get(3L), 2, "unknown field 'evnt'");
        assertError(a.get(4L), 2, "--step is required");
        JsonNode five = a.get(5L);
        assertTrue(five.get("ok").asBoolean(), five.toString());
        assertEquals(2, five.get("entries").size(), five.toString());
        assertEquals("metrics", five.get("entries").get(0).get("kind").asText());
        assertEquals("checkpoint", five.get("entries").get(1).get("kind").asText());
        assertError(a.get(6L), 3, "last checkpoint (step 50)");
        assertError(a.get(7L), 3, "missing.jsonl");
        assertTrue(a.get(8L).get("ok").asBoolean(), a.get(8L).toString());
        assertEquals(0, a.get(8L).get("entries").size(), "nothing new in the log");
        assertError(a.get(9L), 2, "'step' must be an integer");
        assertError(a.get(10L), 2, "one JSON object per line");
        assertTrue(a.get(11L).get("ok").asBoolean(), a.get(11L).toString());
        List<String> kinds = entries().stream().map(LedgerEntry::kind).toList();
        assertEquals(List.of("run", "event", "metrics", "checkpoint", "event"), kinds);
        assertVerifies();
    }

    @Test
    void logGrowingBetweenRequests_recordsOnlyNewRecords() throws Exception {
        Path log = dir.resolve("train.jsonl");
        Files.writeString(log, "{\"step\":1,\"loss\":2.5}\n");
        String req = "{\"log\":" + JSON.writeValueAsString(log.toString()) + "}";
        Map<Long, JsonNode> first = serve(List.of(req));
        assertEquals(1, first.get(1L).get("entries").size(), first.toString());
        Files.writeString(log, "{\"step\":2,\"loss\":2.4}\n{\"step\":3,\"lo", StandardOpenOption.APPEND);
        Map<Long, JsonNode> second = serve(List.of(req));
        JsonNode e = second.get(1L).get("entries").get(0);
        assertTrue(e.get("what").asText().contains("1 records"), second.toString()); // the unterminated line waits
        assertVerifies();
    }

    @Test
    void serveWithRecordOptions_isAUsageError() {
        CliRun r = CliRun.run("record", db, "--key", key, "--serve", "--step", 1, "--event", "x");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--serve takes what to record from its input lines"), r.err());
    }

    @Test
    void serveWithWitness_isAUsageError_notSilentlyIgnored() {
        CliRun r = CliRun.run("record", db, "--key", key, "--serve", "--witness", "https://w.example/=w.pub");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--witness is not served"), r.err());
    }

    private static void assertError(JsonNode a, int exit, String contains) {
        assertFalse(a.get("ok").asBoolean(), a.toString());
        assertEquals(exit, a.get("exit").asInt(), a.toString());
        assertTrue(a.get("error").asText().contains(contains), a.toString());
    }
}
