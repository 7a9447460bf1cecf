package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code record --resume R}: a run restarted from its recorded checkpoint at step R records checkpoints at
 * steps it had already passed. Built from two real fixture runs of one recipe: the genuine run
 * ({@code fixtures/scratch}, checkpoints every 25 steps to 200) and, as the abandoned first attempt after
 * step 50, an independent run ({@code fixtures/scratch-twin}, its step-75 checkpoint and log records 51-80,
 * "crashed" at 80). The claimed resume from 50 makes the genuine 75..200 the trajectory: verify exits 0
 * with the weight checks passing on it. The same files recorded with no claim put the twin's 75 in the
 * trajectory, and the weight checks reject it: the claim is what orders the run, not luck.
 */
class RecordResumeTest {
    static final Path SCRATCH = Path.of("fixtures", "scratch");
    static final Path TWIN = Path.of("fixtures", "scratch-twin");

    /** A fixed auditor seed: the positions the weight checks read are then the same on every run of the test. */
    static final String SEED = "20261205";

    @TempDir
    Path dir;

    Path key;

    @Test
    void claimedResume_verifyOrdersTheTrajectory_exit0() throws Exception {
        Path run = dir.resolve("run");
        Path db = setUp(run);
        Path log = run.resolve("log.jsonl");
        // Without the claim the checkpoint at step 75 of the restarted process is refused (exit 3), as before.
        CliRun refused = CliRun.run("record", db, "--key", key, "--step", 75, "--checkpoint", run.resolve("step-75.safetensors"));
        assertEquals(3, refused.code(), refused.toString());
        assertTrue(refused.err().contains("--resume"), refused.err());
        // A claim must name a checkpoint of the current trajectory, and the new step must be after it.
        CliRun noSuch = CliRun.run("record", db, "--key", key, "--step", 75, "--checkpoint", run.resolve("step-75.safetensors"), "--resume", 60);
        assertEquals(3, noSuch.code(), noSuch.toString());
        assertTrue(noSuch.err().contains("no checkpoint at step 60"), noSuch.err());
        CliRun notAfter = CliRun.run("record", db, "--key", key, "--step", 50, "--checkpoint", run.resolve("step-50.safetensors"), "--resume", 50);
        assertEquals(3, notAfter.code(), notAfter.toString());
        CliRun noCheckpoint = CliRun.run("record", db, "--key", key, "--step", 75, "--resume", 50, "--event", "x");
        assertEquals(2, noCheckpoint.code(), noCheckpoint.toString());

        // The restarted process logs again from step 50 and records its checkpoints with the claim on the first.
        appendLines(log, SCRATCH.resolve("log.jsonl"), 50, 75);
        CliRun resumed = CliRun.run("record", db, "--key", key, "--step", 75, "--checkpoint", run.resolve("step-75.safetensors"),
                "--resume", 50, "--log", log);
        assertEquals(0, resumed.code(), resumed.toString());
        recordRest(db, run, log);
        Path json = dir.resolve("resumed.json");
        CliRun v = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--artifacts", run, "--json", json, "--seed", SEED);
        assertEquals(0, v.code(), v.toString());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        for (String id : List.of("INTEGRITY", "L1", "W1", "W2", "W3", "W4")) assertEquals("PASS", status(report, id), id + ": " + v.out());
        JsonNode resume = check(report, "RESUME");
        boolean named = false;
        for (JsonNode f : resume.path("findings")) {
            if (f.path("code").asText().equals("RESUME_CLAIMED")) {
                named = f.path("message").asText().contains("steps [75]") && f.path("location").path("step").asLong() == 50;
            }
        }
        assertTrue(named, resume.toString());
        // The audit still re-hashed the abandoned attempt's checkpoint file (it is signed evidence too).
        Files.writeString(run.resolve("attempt1-step-75.safetensors"), "x", StandardOpenOption.APPEND);
        assertEquals(1, CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--artifacts", run, "--integrity-only").code());
    }

    @Test
    void abandonedAttemptGotFurther_resumedRunRecordsItsOwnLaterSteps() throws Exception {
        // The abandoned attempt recorded 75 and 100 before it died (PythonRecorderTest's SIGKILL can land
        // after the attempt's last checkpoint was recorded); the run restarted from 50 records 75 with the
        // claim, then 100: that 100 is after the run's last checkpoint (75), though not after the largest step.
        Path run = dir.resolve("run");
        Path db = setUp(run);
        CliRun a100 = CliRun.run("record", db, "--key", key, "--step", 100, "--checkpoint", run.resolve("step-100.safetensors"));
        assertEquals(0, a100.code(), a100.toString());
        CliRun r75 = CliRun.run("record", db, "--key", key, "--step", 75, "--checkpoint", run.resolve("step-75.safetensors"), "--resume", 50);
        assertEquals(0, r75.code(), r75.toString());
        CliRun r100 = CliRun.run("record", db, "--key", key, "--step", 100, "--checkpoint", run.resolve("step-100.safetensors"));
        assertEquals(0, r100.code(), r100.toString());
        // and order is kept after that: the same step again, or one going back, is refused
        CliRun again = CliRun.run("record", db, "--key", key, "--step", 100, "--checkpoint", run.resolve("step-100.safetensors"));
        assertEquals(3, again.code(), again.toString());
        assertTrue(again.err().contains("last checkpoint (step 100)"), again.err());
        CliRun back = CliRun.run("record", db, "--key", key, "--step", 90, "--checkpoint", run.resolve("step-100.safetensors"));
        assertEquals(3, back.code(), back.toString());
    }

    @Test
    void sameFilesWithoutTheClaim_abandonedCheckpointInTheTrajectory_weightChecksFail() throws Exception {
        Path run = dir.resolve("run");
        Path db = setUp(run);
        Path log = run.resolve("log.jsonl");
        // No claim: the restarted process's checkpoints continue after the abandoned attempt's step 75.
        appendLines(log, SCRATCH.resolve("log.jsonl"), 50, 75);
        recordRest(db, run, log);
        Path json = dir.resolve("unclaimed.json");
        CliRun v = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--artifacts", run, "--json", json, "--seed", SEED);
        assertEquals(6, v.code(), v.toString());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        // A weight check rejects the link through the twin's 75 (measured: W3 between 50 and 75, W4 at 50->75 and 75->100).
        List<String> at75 = new ArrayList<>();
        for (JsonNode c : report.get("checks")) {
            if (!c.path("id").asText().startsWith("W") || !c.path("status").asText().equals("FAIL")) continue;
            for (JsonNode f : c.path("findings")) {
                if (f.path("severity").asText().equals("FAIL") && f.path("message").asText().matches("(?s).*step[s]? (50 and )?75\\b.*")) {
                    at75.add(c.path("id").asText() + " " + f.path("code").asText());
                }
            }
        }
        assertTrue(!at75.isEmpty(), "no weight check failed at the twin's checkpoint: " + v.out());
    }

    /** Ledger and run folder up to the abandoned attempt's crash: genuine 0, 25, 50; the twin's 75 (log 51-80). */
    Path setUp(Path run) throws IOException {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
        Files.createDirectories(run);
        for (int s = 0; s <= 200; s += 25) Files.copy(SCRATCH.resolve("step-" + s + ".safetensors"), run.resolve("step-" + s + ".safetensors"));
        Files.copy(TWIN.resolve("step-75.safetensors"), run.resolve("attempt1-step-75.safetensors"));
        Path db = run.resolve("ledger.db");
        CliRun init = CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/resumed", "--run-config", SCRATCH.resolve("run-config.json"));
        assertEquals(0, init.code(), init.toString());
        Path log = run.resolve("log.jsonl");
        Files.createFile(log);
        for (int s = 0; s <= 50; s += 25) {
            appendLines(log, SCRATCH.resolve("log.jsonl"), s == 0 ? 0 : s - 24, s);
            CliRun r = CliRun.run("record", db, "--key", key, "--step", s, "--checkpoint", run.resolve("step-" + s + ".safetensors"), "--log", log);
            assertEquals(0, r.code(), r.toString());
        }
        appendLines(log, TWIN.resolve("log.jsonl"), 51, 75);
        CliRun a = CliRun.run("record", db, "--key", key, "--step", 75, "--checkpoint", run.resolve("attempt1-step-75.safetensors"), "--log", log);
        assertEquals(0, a.code(), a.toString());
        appendLines(log, TWIN.resolve("log.jsonl"), 76, 80); // logged, then the process died before its next checkpoint
        return db;
    }

    /** Checkpoints 100..200 of the genuine run, each with its log records (75 is recorded by the caller). */
    void recordRest(Path db, Path run, Path log) throws IOException {
        for (int s = 100; s <= 200; s += 25) {
            appendLines(log, SCRATCH.resolve("log.jsonl"), s - 24, s);
            CliRun r = CliRun.run("record", db, "--key", key, "--step", s, "--checkpoint", run.resolve("step-" + s + ".safetensors"), "--log", log);
            assertEquals(0, r.code(), r.toString());
        }
    }

    /** Appends the source log's records for steps from..to (inclusive), unchanged. */
    static void appendLines(Path log, Path source, int from, int to) throws IOException {
        ObjectMapper m = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(source)) {
            long s = m.readTree(line).path("step").asLong();
            if (s >= from && s <= to) sb.append(line).append('\n');
        }
        Files.writeString(log, sb.toString(), StandardOpenOption.APPEND);
    }

    static JsonNode check(JsonNode report, String id) {
        for (JsonNode c : report.get("checks")) if (c.path("id").asText().equals(id)) return c;
        throw new AssertionError("no check " + id);
    }

    static String status(JsonNode report, String id) {
        return check(report, id).path("status").asText();
    }
}
