package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.crypto.KeyFiles;

/**
 * Never lose data: SIGKILL at random moments (the real `record` command, and a child that appends
 * in a tight loop so kills land inside transactions), and concurrent writers. Child processes run
 * on the test classpath. Bounded: 20 + 10 kills, 3 rounds of two concurrent `record`s.
 */
class LedgerDurabilityTest {
    @TempDir
    Path dir;

    Path db;
    Path keyFile;
    private final Random random = new Random(20261129L);

    @BeforeEach
    void setUp() {
        keyFile = dir.resolve("k.key");
        KeyFiles.write(keyFile, dir.resolve("k.pub"), LedgerFixtures.key(), null, new SecureRandom());
        db = LedgerFixtures.ledger(dir, "l.db", 1);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Process start(String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(false).start();
    }

    /** SIGKILL by pid (Process.destroyForcibly would also close our end of the child's pipes). */
    private static void sigkill(Process p) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).inheritIO().start().waitFor();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    private Process record(String event) throws IOException {
        return start("org.trainproof.cli.Main", "record", db.toString(), "--key", keyFile.toString(), "--step", "1", "--event", event);
    }

    private Set<String> eventTexts() {
        Set<String> out = new HashSet<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            l.forEachEntry(e -> {
                if (e.body().has("text")) out.add(e.body().get("text").asText());
            });
        }
        return out;
    }

    /** The `verify` command itself, in-process: exit 0. */
    private void assertAuditClean() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = org.trainproof.cli.Cli.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
                "verify", db.toString(), "--integrity-only", "--key", dir.resolve("k.pub").toString());
        assertEquals(0, code, "verify after kill: " + out + err);
    }

    @Test
    void recordKilledWithSigkillAtRandomMoments_ledgerStaysValid_andNoAcknowledgedEntryIsLost() throws Exception {
        Set<String> acknowledged = new HashSet<>();
        // Calibrate the kill window on this machine now: one record run, unkilled. Kills then land
        // uniformly in [0, 1.5 × that], so about a third of the runs complete whatever the load.
        long t0 = System.nanoTime();
        Process cal = record("calibration");
        assertTrue(cal.waitFor(120, TimeUnit.SECONDS) && cal.exitValue() == 0, "calibration record failed");
        acknowledged.add("calibration");
        int window = (int) Math.max(200, 1.5 * (System.nanoTime() - t0) / 1e6);
        int completed = 0;
        for (int i = 0; i < 20; i++) {
            String ev = "kill-" + i;
            Process p = record(ev);
            boolean done = p.waitFor(random.nextInt(window), TimeUnit.MILLISECONDS);
            if (!done) {
                sigkill(p);
            } else if (p.exitValue() == 0) {
                acknowledged.add(ev);
                completed++;
            } else {
                throw new AssertionError("record failed: " + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            assertAuditClean();
            assertTrue(eventTexts().containsAll(acknowledged), "lost acknowledged entries");
        }
        // Some runs must complete and some must be killed, or the test proves little.
        System.out.println("kill loop: " + completed + " of 20 record runs completed before the kill (window " + window + " ms)");
        assertTrue(completed < 20, "no record was killed; widen the kill window");
        assertTrue(completed > 0, "no record completed, so no acknowledged entry was checked; widen the kill window");
    }

    @Test
    void appendLoopKilledInsideTransactions_ledgerStaysValid_andNoCommittedEntryIsLost() throws Exception {
        Set<String> committed = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            Process p = start("org.trainproof.ledger.AppendLoopMain", db.toString(), keyFile.toString(), "loop" + i);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            // Wait until it is appending, then kill after a random number of further commits.
            String line = out.readLine();
            if (line == null) {
                throw new AssertionError("child died: " + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            committed.add(line.split(" ")[1]);
            int more = random.nextInt(30);
            for (int k = 0; k < more && (line = out.readLine()) != null; k++) committed.add(line.split(" ")[1]);
            Thread.sleep(random.nextInt(5));
            sigkill(p);
            // Lines printed before the kill may still be in the pipe: they were committed too.
            while ((line = out.readLine()) != null) committed.add(line.split(" ")[1]);
            assertAuditClean();
            Set<String> texts = eventTexts();
            for (String c : committed) {
                assertTrue(texts.contains(c + "-a") && texts.contains(c + "-b"), "lost committed batch " + c);
            }
        }
        assertTrue(committed.size() >= 10, "committed " + committed.size());
    }

    private Process serve() throws IOException {
        return start("org.trainproof.cli.Main", "record", db.toString(), "--key", keyFile.toString(), "--serve");
    }

    /** Event texts of the acknowledged requests among {@code line} ("ok" answers with the request's id). */
    private static void collectAck(String line, Set<String> acked) {
        if (line.contains("\"ok\":true")) {
            int i = line.indexOf("\"id\":\"") + 6;
            acked.add(line.substring(i, line.indexOf('"', i)));
        } else if (!line.contains("\"ready\"")) {
            throw new AssertionError("request failed: " + line);
        }
    }

    @Test
    void serveKilledWithSigkillWhileRequestsAreInFlight_ledgerStaysValid_andNoAcknowledgedEntryIsLost() throws Exception {
        // record --serve (issue 19): a client pipelines events without waiting; the server is killed after a
        // random number of acknowledgements. Every acknowledged event must be stored; the ledger must verify.
        Set<String> acked = new HashSet<>();
        for (int round = 0; round < 5; round++) {
            Process p = serve();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            if (ready == null || !ready.contains("\"ready\":true")) {
                throw new AssertionError("server did not start: " + ready + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            int r = round;
            Thread writer = new Thread(() -> {
                try (var in = new java.io.PrintStream(p.getOutputStream(), false, StandardCharsets.UTF_8)) {
                    for (int i = 0; i < 100_000 && !in.checkError(); i++) {
                        in.println("{\"id\":\"srv" + r + "-" + i + "\",\"step\":" + i + ",\"event\":\"srv" + r + "-" + i + "\"}");
                        if (i % 8 == 7) in.flush();
                    }
                }
            });
            writer.setDaemon(true);
            writer.start();
            int more = 1 + random.nextInt(300);
            String line;
            for (int k = 0; k < more && (line = out.readLine()) != null; k++) collectAck(line, acked);
            sigkill(p);
            // Answers printed before the kill may still be in the pipe: those entries were durable too.
            while ((line = out.readLine()) != null) collectAck(line, acked);
            writer.join(10_000);
            assertAuditClean();
            assertTrue(eventTexts().containsAll(acked), "lost acknowledged entries");
        }
        assertTrue(acked.size() >= 5, "acknowledged " + acked.size());
    }

    @Test
    void serveClientGoneAfterWriting_serverCommitsEverythingItRead_andExits0() throws Exception {
        // A client killed with SIGKILL closes its end of the pipe: the server reads end of input, commits
        // every request it read, and exits. Here: 200 requests written, stdin closed without reading answers.
        Process p = serve();
        try (var in = new java.io.PrintStream(p.getOutputStream(), false, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 200; i++) in.println("{\"step\":" + i + ",\"event\":\"gone-" + i + "\"}");
        }
        byte[] answers = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "server did not exit at end of input");
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(201, new String(answers, StandardCharsets.UTF_8).split("\n").length, "ready + one answer per request");
        Set<String> texts = eventTexts();
        for (int i = 0; i < 200; i++) assertTrue(texts.contains("gone-" + i), "gone-" + i + " not stored");
        assertAuditClean();
    }

    @Test
    void twoRecordProcessesAtOnce_bothSucceedOrOneIsBusy_neverCorrupt() throws Exception {
        for (int round = 0; round < 3; round++) {
            Process a = record("a" + round);
            Process b = record("b" + round);
            assertTrue(a.waitFor(60, TimeUnit.SECONDS) && b.waitFor(60, TimeUnit.SECONDS), "hang");
            for (Process p : List.of(a, b)) {
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.exitValue() == 0 || (p.exitValue() == ExitCode.BAD_INPUT && err.contains("ledger busy")),
                        "exit " + p.exitValue() + ": " + err);
            }
            assertAuditClean();
            Set<String> texts = eventTexts();
            if (a.exitValue() == 0) assertTrue(texts.contains("a" + round));
            if (b.exitValue() == 0) assertTrue(texts.contains("b" + round));
        }
    }

    @Test
    void writeLockHeldLongerThanBusyTimeout_recordFailsLedgerBusy_exit3_nothingWritten() throws Exception {
        long before;
        try (Ledger l = Ledger.openReadOnly(db)) {
            before = l.size();
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
                java.sql.Statement st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            int code = org.trainproof.cli.Cli.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err),
                    "record", db.toString(), "--key", keyFile.toString(), "--step", "9", "--event", "blocked");
            assertEquals(ExitCode.BAD_INPUT, code, out + " " + err);
            assertTrue(err.toString().contains("ledger busy"), err.toString());
            st.execute("ROLLBACK");
        }
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(before, l.size());
        }
        assertAuditClean();
    }

    @Test
    void twoConcurrentInits_exactlyOneWins_andItsLedgerSurvives() throws Exception {
        for (int round = 0; round < 5; round++) {
            Path target = dir.resolve("init-race-" + round + ".db");
            List<Throwable> errors = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                threads.add(new Thread(() -> {
                    try (Ledger l = Ledger.init(target, LedgerFixtures.key(), LedgerFixtures.ORIGIN, null)) {
                        l.size();
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) t.join();
            assertEquals(1, errors.size(), "exactly one init must fail: " + errors);
            assertTrue(errors.get(0) instanceof org.trainproof.TrainproofException te && te.exitCode() == ExitCode.BAD_INPUT, errors.toString());
            AuditReport r = LedgerFixtures.audit(target);
            assertTrue(r.clean(), r.findings().toString());
            assertEquals(1, r.entries());
        }
    }

    @Test
    void twoWritersInOneJvm_interleavedBatches_allLandInOneChain() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (String w : List.of("x", "y")) {
            threads.add(new Thread(() -> {
                try (Ledger l = Ledger.openForAppend(db, LedgerFixtures.key())) {
                    for (int i = 0; i < 40; i++) l.append(List.of(new EntryDraft("event", LedgerFixtures.event(i, w + i))));
                } catch (Throwable t) {
                    synchronized (errors) {
                        errors.add(t);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) t.join();
        assertEquals(List.of(), errors);
        AuditReport r = LedgerFixtures.audit(db);
        assertTrue(r.clean(), r.findings().toString());
        assertEquals(3 + 80, r.entries());
        assertEquals(2 + 80, r.checkpoints());
        assertTrue(Files.size(db) > 0);
    }
}
