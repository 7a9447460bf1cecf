package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python recorder end to end: python/tests/train_tiny.py trains a small causal language model from
 * scratch with PyTorch (AdamW, warmup + cosine, 300 steps, one intra-op thread) and records it through trainproof.Recorder.from_torch,
 * which runs this build's classes ($TRAINPROOF_CLASSPATH) in a background thread. Skipped, with the
 * reason, where python3 or torch is absent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonRecorderTest {
    static final Path SCRIPT = Path.of("python", "tests", "train_tiny.py").toAbsolutePath();

    @TempDir
    static Path tmp;
    Path key;
    Path pub;
    Path genuine;

    static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @BeforeAll
    void trainGenuineRun() throws Exception {
        Assumptions.assumeTrue(torchAvailable(), "python3 with torch not available: Python recorder end-to-end tests skipped");
        CliRun k = CliRun.run("keygen", "--name", "example.com/lab", "--out", tmp.resolve("lab"));
        assertEquals(0, k.code(), k.toString());
        key = tmp.resolve("lab.key");
        pub = tmp.resolve("lab.pub");
        genuine = tmp.resolve("genuine");
        genuineRun = train(genuine, -1, "--steps", "300", "--every", "100", "--seed", "1");
        assertEquals(0, genuineRun.exit, genuineRun.output);
    }

    Result genuineRun;

    /**
     * 300 steps from scratch, checkpoints at 0, 100, 200, 300 (sparse: each record is a JVM start, about 10 s at load 17 on
     * the shared 2-core machine; three after step 0 is what W10, and so exit 0, needs — the evidence rule's E3): verify with
     * the files exits 0, L1 and W1-W4 run and pass.
     */
    @Test
    void genuineRun_verifyWithArtifacts_exit0_withL1AndWeightChecksRun() throws Exception {
        Path json = tmp.resolve("genuine.json");
        CliRun v = CliRun.run("verify", genuine.resolve("ledger.db"), "--key", pub, "--artifacts", genuine, "--json", json);
        assertEquals(0, v.code(), v.toString());
        Map<String, String> status = statuses(json);
        for (String id : List.of("L1", "W1", "W2", "W3", "W4")) {
            assertEquals("PASS", status.get(id), id + " in " + status);
        }
        // The weight checks read the files (not the ledger's samples), and W1 tested the claimed init at step 0.
        JsonNode w1 = check(json, "W1");
        assertTrue(w1.path("n").asLong() > 0 && w1.path("detail").asText().contains("at step 0"), w1.toString());
        // The step-0 checkpoint and every 100th step, each recorded with the log so far.
        for (int s = 0; s <= 300; s += 100) assertTrue(Files.exists(genuine.resolve("step-" + s + ".safetensors")), "step " + s);
        assertTrue(Files.exists(genuine.resolve("trainproof-log.jsonl")));
        assertEquals(300, Files.readAllLines(genuine.resolve("trainproof-log.jsonl")).size());
    }

    /**
     * The same loop, with the same claims (init claims of the freshly built model), but started from the
     * genuine run's final weights: exit 6, and a weight check decides it: W1 rejects the step-0 weights
     * against the claimed initialisation (as does L1 the step-0 loss).
     */
    @Test
    void runStartedFromAnotherRunsWeights_verify_exit6_W1AndL1Fail() throws Exception {
        Path derived = tmp.resolve("derived");
        Result r = train(derived, -1, "--steps", "300", "--every", "300", "--seed", "2",
                "--init-from", genuine.resolve("step-300.safetensors").toString());
        assertEquals(0, r.exit, r.output);
        assertEquals(initLine(genuineRun.output), initLine(r.output), "both runs claim the same initialisation");
        Path json = tmp.resolve("derived.json");
        CliRun v = CliRun.run("verify", derived.resolve("ledger.db"), "--key", pub, "--artifacts", derived, "--json", json);
        assertEquals(6, v.code(), v.toString());
        Map<String, String> status = statuses(json);
        assertEquals("FAIL", status.get("L1"), status.toString());
        assertEquals("FAIL", status.get("W1"), status.toString());
        JsonNode w1 = check(json, "W1");
        boolean failAtStep0 = false;
        for (JsonNode f : w1.path("findings")) {
            if (f.path("severity").asText().equals("FAIL") && f.path("code").asText().startsWith("W1_")
                    && f.path("location").path("step").asLong(-1) == 0 && !f.path("location").path("tensor").asText().isEmpty()) {
                failAtStep0 = true;
            }
        }
        assertTrue(failAtStep0, w1.toString());
    }

    static String initLine(String output) {
        return output.lines().filter(l -> l.startsWith("init ")).findFirst().orElseThrow(() -> new AssertionError("no init line: " + output));
    }

    static JsonNode check(Path json, String id) throws Exception {
        for (JsonNode c : new ObjectMapper().readTree(json.toFile()).get("checks")) if (c.get("id").asText().equals(id)) return c;
        throw new AssertionError("no check " + id + " in " + json);
    }

    @Test
    void trainingKilledWithSigkillMidway_ledgerStillVerifies() throws Exception {
        Path killed = tmp.resolve("killed");
        // Checkpoints 0, 5 and 10 are recorded before training goes on (--sync-until 10); the kill lands just
        // after step 20's checkpoint was queued, while it is written and recorded in the background. Every 5 steps, so the
        // resumed run has 4 checkpoints after step 0 (W10, and so exit 0, needs 3: the evidence rule's E3).
        Result r = train(killed, 21, "--steps", "50", "--every", "5", "--seed", "3", "--sync-until", "10");
        assertTrue(r.killed, "the training process ended before step 21: " + r.output);
        assertTrue(Files.exists(killed.resolve("ledger.db")), r.output);
        CliRun v = CliRun.run("verify", killed.resolve("ledger.db"), "--key", pub, "--artifacts", killed, "--integrity-only");
        assertEquals(0, v.code(), v.toString());
        CliRun log = CliRun.run("log", killed.resolve("ledger.db"));
        assertEquals(0, log.code(), log.toString());
        assertTrue(log.out().contains("checkpoint"), log.out());

        // Restarted from its step-10 checkpoint (Recorder(resume_from=10)): the steps the killed attempt had
        // passed are recorded again under the claim, its checkpoint files are kept (not overwritten), and
        // verify orders the run by the claim: not an integrity failure, a verdict on the resumed trajectory.
        Result resumed = train(killed, -1, "--steps", "50", "--stop-at", "20", "--every", "5", "--seed", "3",
                "--resume-from", "10");
        assertEquals(0, resumed.exit, resumed.output);
        if (Files.exists(killed.resolve("step-20-1.safetensors"))) {
            assertTrue(Files.exists(killed.resolve("step-20.safetensors")), "the killed attempt's step-20 file is kept");
        }
        Path json = tmp.resolve("resumed.json");
        CliRun v2 = CliRun.run("verify", killed.resolve("ledger.db"), "--key", pub, "--artifacts", killed, "--json", json);
        assertEquals(0, v2.code(), v2.toString());
        Map<String, String> status = statuses(json);
        for (String id : List.of("INTEGRITY", "L1", "W1", "W2", "W3", "W4")) assertEquals("PASS", status.get(id), id + " in " + status);
        assertTrue(check(json, "RESUME").toString().contains("RESUME_CLAIMED"), check(json, "RESUME").toString());
    }

    record Result(int exit, boolean killed, String output) {}

    /** Runs the training script; with killAtStep >= 0, SIGKILLs it once it printed that step. */
    Result train(Path dir, int killAtStep, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", "-u", SCRIPT.toString(), "--dir", dir.toString(), "--key", key.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("TRAINPROOF_CLASSPATH", System.getProperty("java.class.path"));
        env.remove("TRAINPROOF_JAR");
        env.put("TRAINPROOF_JVM_ARGS", "-Xmx256m -XX:TieredStopAtLevel=1"); // short-lived record JVMs: start fast
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        boolean killed = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                out.append(line).append('\n');
                if (killAtStep >= 0 && line.startsWith("step " + killAtStep + " ")) {
                    p.destroyForcibly(); // SIGKILL on Linux
                    killed = true;
                    break;
                }
            }
        }
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "training did not finish: " + out);
        if (killed) Thread.sleep(2000); // a record the background thread had started may still commit (one transaction)
        return new Result(p.exitValue(), killed, out.toString());
    }

    static Map<String, String> statuses(Path json) throws Exception {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        Map<String, String> m = new HashMap<>();
        for (JsonNode c : root.get("checks")) m.put(c.get("id").asText(), c.get("status").asText());
        return m;
    }
}
