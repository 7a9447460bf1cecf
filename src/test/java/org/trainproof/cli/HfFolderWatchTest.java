package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An honest Hugging Face style run folder watched from start to end gets the same verdict as the same
 * run recorded by hand. The run is the real torch-written fixture {@code fixtures/scratch-bf16-hf}
 * (a causal LM trained 200 steps by the HF Trainer conventions, EXPECTED: consistent), laid out as the
 * Trainer writes it: {@code checkpoint-N/} with model.safetensors, optimizer.pt and that moment's
 * trainer_state.json copy, and the final trainer_state.json in the output folder at the end.
 */
class HfFolderWatchTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final Path FIXTURE = Path.of("fixtures/scratch-bf16-hf");
    private static final int[] STEPS = {0, 25, 50, 75, 100, 125, 150, 175, 200};

    @TempDir
    Path dir;

    private void writeHfRun(Path out, boolean slowly) throws Exception {
        JsonNode state = M.readTree(FIXTURE.resolve("trainer_state.json").toFile());
        for (int n : STEPS) {
            Path cp = Files.createDirectories(out.resolve("checkpoint-" + n));
            Files.copy(FIXTURE.resolve("step-" + n + ".safetensors"), cp.resolve("model.safetensors"));
            Files.write(cp.resolve("optimizer.pt"), new byte[1000 + n]);
            ObjectNode copy = state.deepCopy();
            copy.put("global_step", n);
            ArrayNode hist = M.createArrayNode();
            for (JsonNode h : state.get("log_history")) if (h.path("step").asLong() <= n) hist.add(h);
            copy.set("log_history", hist);
            Files.writeString(cp.resolve("trainer_state.json"), M.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(copy));
            if (slowly) Thread.sleep(150);
        }
        Files.copy(FIXTURE.resolve("trainer_state.json"), out.resolve("trainer_state.json"));
    }

    private Path newLedger(String name, Path key) {
        Path db = dir.resolve(name).resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/hf", "--run-config",
                FIXTURE.resolve("run-config.json")).code());
        return db;
    }

    /** The exit code, the outcome, the finding codes and every check's status of verify --json. */
    private static String verdict(CliRun v, Path json) throws Exception {
        JsonNode r = M.readTree(json.toFile());
        TreeSet<String> codes = new TreeSet<>();
        for (JsonNode f : r.path("findings")) codes.add(f.path("code").asText());
        TreeSet<String> checks = new TreeSet<>();
        for (JsonNode c : r.path("checks")) checks.add(c.path("id").asText() + "=" + c.path("status").asText());
        return "exit " + v.code() + " verdict " + r.path("outcome").asText() + " findings " + codes + " checks " + checks;
    }

    @Test
    void watch_honestHfFolder_sameVerdictAsRecordedByHand() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path key = dir.resolve("k.key");
        Path pub = dir.resolve("k.pub");

        // Watched: the watcher runs while the "trainer" writes the folder, then settles.
        Path watched = Files.createDirectories(dir.resolve("w").resolve("out"));
        Path wdb = newLedger("w", key);
        List<Throwable> failure = new ArrayList<>();
        Thread trainer = new Thread(() -> {
            try {
                writeHfRun(watched, true);
            } catch (Throwable t) {
                failure.add(t);
            }
        });
        trainer.start();
        CliRun w = CliRun.run("watch", wdb, watched, "--key", key, "--interval", "0.05", "--polls", "40");
        trainer.join(60_000);
        assertTrue(failure.isEmpty(), failure.toString());
        assertEquals(0, w.code(), w.toString());
        CliRun settle = CliRun.run("watch", wdb, watched, "--key", key, "--interval", "0.05", "--polls", "3");
        assertEquals(0, settle.code(), settle.toString());
        String all = w.out() + settle.out();
        assertTrue(all.contains(" metrics trainer_state.json"), all);
        // The trainer_state.json copies inside checkpoint-N/ are part of the checkpoints, never a log series.
        assertFalse(all.matches("(?s).*metrics checkpoint-.*"), all);

        // By hand: each checkpoint folder with its step, then the final trainer_state.json.
        Path hand = Files.createDirectories(dir.resolve("h").resolve("out"));
        writeHfRun(hand, false);
        Path hdb = newLedger("h", key);
        for (int n : STEPS) {
            CliRun r = CliRun.run("record", hdb, "--key", key, "--step", n, "--checkpoint", hand.resolve("checkpoint-" + n));
            assertEquals(0, r.code(), r.toString());
        }
        CliRun r = CliRun.run("record", hdb, "--key", key, "--log", hand.resolve("trainer_state.json"));
        assertEquals(0, r.code(), r.toString());

        CliRun vw = CliRun.run("verify", wdb, "--key", pub, "--artifacts", watched, "--json", dir.resolve("w.json"));
        CliRun vh = CliRun.run("verify", hdb, "--key", pub, "--artifacts", hand, "--json", dir.resolve("h.json"));
        String got = verdict(vw, dir.resolve("w.json"));
        assertEquals(verdict(vh, dir.resolve("h.json")), got, "watched:\n" + vw + "\nby hand:\n" + vh);
        // And the fixture's verdict (fixtures/scratch-bf16-hf/EXPECTED.json: consistent, exit 0).
        assertTrue(got.startsWith("exit 0 verdict CONSISTENT findings [] "), got + "\n" + vw);
        // The weight checks ran on the watched ledger (not merely "nothing found").
        for (String c : List.of("W1=PASS", "W2=PASS", "W3=PASS", "W4=PASS", "W7=PASS", "INTEGRITY=PASS")) assertTrue(got.contains(c), got);
    }
}
