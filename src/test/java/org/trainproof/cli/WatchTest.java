package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.SafetensorsWriter;
import org.trainproof.ledger.CheckpointBodies;
import org.trainproof.ledger.EntryKinds;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerMetrics;
import org.trainproof.trainlog.LogReaders;
import org.trainproof.trainlog.MetricRecord;

/**
 * watch against a run directory that a test trainer writes into while it runs: JSONL lines written in
 * two halves, a trainer_state.json rewritten in place, checkpoints of three shapes (an HF directory
 * with a temp file that lingers, a sharded directory whose index comes last, a top-level
 * step-N.safetensors). After the run, the ledger must hold every log record exactly once and every
 * checkpoint exactly once with its final file list, and verify --artifacts must pass. Bounded: 40
 * trainer steps, 4 SIGKILLs; the whole class runs in well under 60 s.
 */
class WatchTest {
    private static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path dir;

    Path key;
    Path db;
    Path run;

    @BeforeEach
    void setUp() throws IOException {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
        db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/w").code());
        run = Files.createDirectories(dir.resolve("run"));
    }

    /** A tiny trainer: {@code steps} steps, a checkpoint every 10, {@code pauseMs} per step. */
    static final class Trainer implements Runnable {
        final Path run;
        final int steps;
        final int pauseMs;
        final Random rnd = new Random(7);
        volatile Throwable failure;
        /** Steps from this one on wait (up to 2 min) until {@link #release} is set: a slow machine still sees kills mid-run. */
        volatile int holdFrom = Integer.MAX_VALUE;
        volatile boolean release;

        Trainer(Path run, int steps, int pauseMs) {
            this.run = run;
            this.steps = steps;
            this.pauseMs = pauseMs;
        }

        @Override
        public void run() {
            try {
                Path log = run.resolve("logs").resolve("train.jsonl");
                Files.createDirectories(log.getParent());
                ArrayNode history = M.createArrayNode();
                for (int s = 0; s < steps; s++) {
                    if (s >= holdFrom) {
                        long until = System.nanoTime() + 120_000_000_000L;
                        while (!release && System.nanoTime() < until) Thread.sleep(20);
                    }
                    String line = "{\"step\": " + s + ", \"loss\": " + (11.0 - s * 0.05 + rnd.nextDouble() * 0.01) + ", \"lr\": " + (s * 1e-5)
                            + ", \"_timestamp\": " + (1.7e9 + s) + "}\n";
                    int cut = line.length() / 2;
                    Files.writeString(log, line.substring(0, cut), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    pause();
                    Files.writeString(log, line.substring(cut), StandardOpenOption.APPEND);
                    if (s % 5 == 4) {
                        history.addObject().put("loss", 11.0 - s * 0.05).put("learning_rate", s * 1e-5).put("step", s + 1).put("epoch", s / 40.0);
                        ObjectNode st = M.createObjectNode().put("global_step", s + 1).put("epoch", s / 40.0);
                        st.set("log_history", history);
                        // Rewritten in place (truncate, then write), as json.dump to an open file does.
                        Files.writeString(run.resolve("trainer_state.json"), M.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(st));
                    }
                    if (s % 10 == 9) checkpoint(s + 1);
                    pause();
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        private void pause() throws InterruptedException {
            Thread.sleep(pauseMs);
        }

        private SafetensorsWriter weights(int step, String name) {
            double[] v = new double[2048];
            for (int i = 0; i < v.length; i++) v[i] = Math.sin(i + step) * 0.02;
            return new SafetensorsWriter().tensor(name, Dtype.F32, new long[] {32, 64}, v);
        }

        void checkpoint(int step) throws IOException, InterruptedException {
            switch ((step / 10) % 3) {
                case 1 -> { // HF directory; optimizer state lingers as a temp file for several polls
                    Path d = Files.createDirectories(run.resolve("checkpoint-" + step));
                    weights(step, "w").write(d.resolve("model.safetensors"));
                    Files.write(d.resolve("optimizer.pt.tmp"), new byte[5000]);
                    Thread.sleep(400);
                    Files.move(d.resolve("optimizer.pt.tmp"), d.resolve("optimizer.pt"));
                }
                case 2 -> { // sharded: index written last
                    Path d = Files.createDirectories(run.resolve("checkpoint-" + step));
                    weights(step, "a").write(d.resolve("model-00001-of-00002.safetensors"));
                    Thread.sleep(200);
                    weights(step + 1, "b").write(d.resolve("model-00002-of-00002.safetensors"));
                    Thread.sleep(200);
                    Files.writeString(d.resolve("model.safetensors.index.json"), "{\"metadata\": {}, \"weight_map\": {\"a\": "
                            + "\"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}}");
                }
                default -> weights(step, "w").write(run.resolve("step-" + step + ".safetensors"));
            }
        }
    }

    private static Map<String, Map<String, List<String>>> ledgerBySource(Path db) {
        Map<String, Map<String, List<String>>> m = new TreeMap<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            LedgerMetrics.forEachChunk(l, ce -> {
                Map<String, List<String>> bySource = m.computeIfAbsent(ce.chunk().source(), k -> new LinkedHashMap<>());
                for (MetricRecord r : ce.chunk().records()) {
                    bySource.computeIfAbsent(r.metric(), k -> new ArrayList<>())
                            .add(r.step() + ":" + Double.doubleToLongBits(r.value()) + ":" + r.wallTime());
                }
            });
        }
        return m;
    }

    private static Map<String, List<String>> reader(Path file) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (MetricRecord r : LogReaders.read(file).records()) {
            m.computeIfAbsent(r.metric(), k -> new ArrayList<>()).add(r.step() + ":" + Double.doubleToLongBits(r.value()) + ":" + r.wallTime());
        }
        return m;
    }

    /** Every record once, every checkpoint once with its final files, verify --artifacts clean. */
    private void assertRunFullyRecorded(int steps) throws IOException {
        CliRun settle = CliRun.run("watch", db, run, "--key", key, "--interval", "0.05", "--polls", "3");
        assertEquals(0, settle.code(), settle.toString());
        Map<String, Map<String, List<String>>> got = ledgerBySource(db);
        Map<String, Map<String, List<String>>> want = new TreeMap<>();
        // One source of truth: the trainer's JSONL log. trainer_state.json repeats its metrics and is
        // never merged with it into one series (it is not recorded at all).
        want.put("logs/train.jsonl", reader(run.resolve("logs/train.jsonl")));
        assertEquals(want, got);
        Map<String, Integer> entriesPerCheckpoint = new HashMap<>();
        Map<String, TreeSet<String>> files = new HashMap<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            l.forEachEntry(e -> {
                if (!e.kind().equals(EntryKinds.CHECKPOINT)) return;
                TreeSet<String> names = new TreeSet<>(CheckpointBodies.recordedFileNames((ObjectNode) e.body().get("checkpoint")));
                String top = names.first().split("/")[0];
                entriesPerCheckpoint.merge(top, 1, Integer::sum);
                files.put(top, names);
            });
        }
        TreeSet<String> expected = new TreeSet<>();
        for (int s = 10; s <= steps; s += 10) expected.add((s / 10) % 3 == 0 ? "step-" + s + ".safetensors" : "checkpoint-" + s);
        assertEquals(expected, new TreeSet<>(entriesPerCheckpoint.keySet()));
        entriesPerCheckpoint.forEach((k, n) -> assertEquals(1, n, k + " recorded " + n + " times"));
        for (String cp : expected) {
            TreeSet<String> onDisk = new TreeSet<>();
            try (Stream<Path> s = Files.walk(run.resolve(cp))) {
                s.filter(Files::isRegularFile).forEach(p -> onDisk.add(run.relativize(p).toString()));
            }
            assertEquals(onDisk, files.get(cp), cp + " recorded before it was complete");
        }
        CliRun v = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", run);
        assertEquals(0, v.code(), v.toString());
    }

    @Test
    void watch_beside_trainer_recordsEverythingOnce() throws Exception {
        Trainer t = new Trainer(run, 30, 15);
        Thread trainer = new Thread(t);
        trainer.start();
        CliRun w = CliRun.run("watch", db, run, "--key", key, "--interval", "0.05", "--polls", "40");
        trainer.join(30_000);
        if (t.failure != null) throw new AssertionError(t.failure);
        assertEquals(0, w.code(), w.toString());
        assertTrue(w.out().contains(" metrics logs/train.jsonl"), w.out());
        assertTrue(w.err().contains("recording [logs/train.jsonl], not [trainer_state.json]"), w.err());
        assertRunFullyRecorded(30);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Process startWatch(Path stdout) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
                System.getProperty("java.class.path"), "org.trainproof.cli.Main", "watch", db.toString(), run.toString(),
                "--key", key.toString(), "--interval", "0.05"));
        return new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
                .redirectError(dir.resolve("watch-err-" + System.nanoTime() + ".txt").toFile()).start();
    }

    private static void signal(Process p, String sig) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor();
    }

    @Test
    void watch_sigkilledAndRestarted_noDuplicatesNoGaps() throws Exception {
        Trainer t = new Trainer(run, 40, 60);
        // The last quarter of the run waits for the second kill, so JVM start-up under load cannot let the
        // run finish before the watchers were killed mid-run (this failed at load average 15-20).
        t.holdFrom = 30;
        Thread trainer = new Thread(t);
        trainer.start();
        Random r = new Random(11);
        int kills = 0;
        while (trainer.isAlive() && kills < 4) {
            Path out = dir.resolve("watch-out-" + kills + ".txt");
            Process p = startWatch(out);
            // Kill only once this watcher has appended something (JVM start-up takes a while), at a random moment after.
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (System.nanoTime() < deadline && p.isAlive() && !(Files.exists(out) && Files.readString(out).contains("entry "))) {
                Thread.sleep(20);
            }
            Thread.sleep(r.nextInt(400));
            signal(p, "KILL");
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            kills++;
            if (kills >= 2) t.release = true;
        }
        t.release = true;
        trainer.join(30_000);
        if (t.failure != null) throw new AssertionError(t.failure);
        assertTrue(kills >= 2, "only " + kills + " kills happened while training");
        try (Ledger l = Ledger.openReadOnly(db)) {
            // Each killed watcher was killed only after it printed its first entry: at least one each.
            assertTrue(l.size() - 1 >= kills, "the " + kills + " killed watchers recorded only " + (l.size() - 1) + " entries");
        }
        assertRunFullyRecorded(40);
    }

    @Test
    void watch_logEditedAfterRecording_exit1OtherLogStillRecorded() throws Exception {
        Path a = run.resolve("a.jsonl");
        Path b = run.resolve("b.jsonl");
        Files.writeString(a, "{\"step\": 0, \"loss\": 11.0}\n{\"step\": 1, \"loss\": 10.9}\n");
        Files.writeString(b, "{\"step\": 0, \"loss\": 5.0}\n");
        // Two logs are recorded only when both are named: found logs give ONE source of truth.
        assertEquals(0, CliRun.run("watch", db, run, "--key", key, "--log", a, "--log", b, "--interval", "0.01", "--polls", "1").code());
        Files.writeString(a, "{\"step\": 0, \"loss\": 11.0}\n{\"step\": 1, \"loss\": 10.1}\n{\"step\": 2, \"loss\": 10.0}\n");
        Files.writeString(b, "{\"step\": 1, \"loss\": 4.0}\n", StandardOpenOption.APPEND);
        CliRun w = CliRun.run("watch", db, run, "--key", key, "--log", a, "--log", b, "--interval", "0.01", "--polls", "2");
        assertEquals(ExitCode.INTEGRITY, w.code(), w.toString());
        assertTrue(w.err().contains("LOG_HISTORY_REWRITTEN") && w.err().contains("a.jsonl"), w.err());
        Map<String, Map<String, List<String>>> got = ledgerBySource(db);
        assertEquals(2, got.get("a.jsonl").get("train/loss").size(), "nothing more recorded from the edited log");
        assertEquals(reader(b), got.get("b.jsonl"));
    }

    @Test
    void watch_sigint_finishesAndExitsZero() throws Exception {
        Files.createDirectories(run.resolve("logs"));
        Files.writeString(run.resolve("logs/train.jsonl"), "{\"step\": 0, \"loss\": 11.0}\n{\"step\": 1, \"loss\": 10.9}\n");
        List<String> cmd = List.of(java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "org.trainproof.cli.Main", "watch", db.toString(), run.toString(), "--key", key.toString(), "--interval", "0.05");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        InputStream in = p.getInputStream();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!seen.toString(StandardCharsets.UTF_8).contains(" metrics ") && System.nanoTime() < deadline) {
            int b = in.read();
            if (b < 0) break;
            seen.write(b);
        }
        assertTrue(seen.toString(StandardCharsets.UTF_8).contains(" metrics "), seen.toString(StandardCharsets.UTF_8));
        signal(p, "INT");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "watch did not stop on SIGINT");
        seen.write(in.readAllBytes());
        assertEquals(ExitCode.OK, p.exitValue(), seen.toString(StandardCharsets.UTF_8));
        assertTrue(seen.toString(StandardCharsets.UTF_8).contains("watch stopped"), seen.toString(StandardCharsets.UTF_8));
        assertEquals(0, CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only").code());
    }
}
