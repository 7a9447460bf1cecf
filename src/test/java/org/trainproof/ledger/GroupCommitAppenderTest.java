package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainproof.ledger.LedgerFixtures.audit;
import static org.trainproof.ledger.LedgerFixtures.failCodes;
import static org.trainproof.ledger.LedgerFixtures.key;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.TrainproofException;

/** Issue 19 (appends): group commit shares one transaction and fsync among concurrent callers. */
class GroupCommitAppenderTest {
    @TempDir
    Path dir;

    private static EntryDraft draft(int thread, int i) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("thread", thread);
        b.put("i", i);
        return new EntryDraft("event", b);
    }

    @Test
    void manyThreads_eachEntryStoredOnce_andEachCallerGetsItsOwn() throws Exception {
        Path db = LedgerFixtures.ledger(dir, "l.db", 0);
        int threads = 8;
        int each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long groups;
        try (Ledger l = Ledger.openForAppend(db, key()); GroupCommitAppender a = new GroupCommitAppender(l)) {
            List<Future<List<LedgerEntry>>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    List<LedgerEntry> got = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        LedgerEntry e = a.append(draft(tt, i));
                        // The entry handed back is this caller's own draft.
                        assertEquals(tt, e.body().get("thread").asInt());
                        assertEquals(i, e.body().get("i").asInt());
                        got.add(e);
                    }
                    return got;
                }));
            }
            Set<Long> seqs = new HashSet<>();
            for (Future<List<LedgerEntry>> f : fs) {
                for (LedgerEntry e : f.get(120, TimeUnit.SECONDS)) assertTrue(seqs.add(e.seq()), "seq " + e.seq() + " handed out twice");
            }
            assertEquals(threads * each, seqs.size());
            groups = a.groups();
        } finally {
            pool.shutdownNow();
        }
        Set<String> stored = new HashSet<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(1 + threads * each, l.size());
            l.forEachEntry(1, e -> assertTrue(stored.add(e.body().get("thread").asInt() + "/" + e.body().get("i").asInt()),
                    "stored twice: " + e));
        }
        assertEquals(threads * each, stored.size());
        AuditReport r = audit(db);
        assertTrue(r.clean(), () -> "audit: " + failCodes(r));
        // One signed checkpoint per group (plus genesis), never one per entry unless groups were singletons.
        assertEquals(1 + groups, r.checkpoints());
    }

    /**
     * Holds the first group's transaction open (inside its checkpoint listener) until {@code k}
     * more requests are queued, so they form the next group; returns the listener call counter.
     */
    private static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        final int failOnCall;

        Gate(Ledger l, int failOnCall) {
            this.failOnCall = failOnCall;
            l.onNewCheckpoint((store, id, note) -> {
                int c = calls.incrementAndGet();
                if (c == 1) {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                if (c == failOnCall) throw new IllegalStateException("injected failure in group " + c);
            });
        }

        /** Starts one request, waits until it is inside its transaction, queues {@code reqs}, releases. */
        List<Future<List<LedgerEntry>>> run(GroupCommitAppender a, ExecutorService pool, List<List<EntryDraft>> reqs) throws Exception {
            Future<List<LedgerEntry>> first = pool.submit(() -> a.append(List.of(draft(99, 0))));
            assertTrue(entered.await(60, TimeUnit.SECONDS));
            List<Future<List<LedgerEntry>>> fs = new ArrayList<>();
            for (List<EntryDraft> r : reqs) {
                fs.add(pool.submit(() -> a.append(r)));
                // Queue them in order so the expected grouping is deterministic.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (a.queued() < fs.size()) {
                    assertTrue(System.nanoTime() < until, "requests not queued");
                    Thread.sleep(1);
                }
            }
            release.countDown();
            assertEquals(1, first.get(60, TimeUnit.SECONDS).size());
            return fs;
        }
    }

    @Test
    void requestsQueuedDuringACommit_shareTheNextCommit() throws Exception {
        Path db = LedgerFixtures.ledger(dir, "l.db", 0);
        int k = 6;
        ExecutorService pool = Executors.newFixedThreadPool(k + 1);
        try (Ledger l = Ledger.openForAppend(db, key())) {
            Gate g = new Gate(l, -1);
            try (GroupCommitAppender a = new GroupCommitAppender(l)) {
                List<List<EntryDraft>> reqs = new ArrayList<>();
                for (int t = 0; t < k; t++) reqs.add(t == 2 ? List.of(draft(t, 0), draft(t, 1)) : List.of(draft(t, 0)));
                List<Future<List<LedgerEntry>>> fs = g.run(a, pool, reqs);
                long seq = 2;
                for (int t = 0; t < k; t++) {
                    List<LedgerEntry> got = fs.get(t).get(60, TimeUnit.SECONDS);
                    assertEquals(reqs.get(t).size(), got.size());
                    for (int i = 0; i < got.size(); i++) {
                        assertEquals(seq++, got.get(i).seq(), "callers' entries are consecutive, in queue order");
                        assertEquals(t, got.get(i).body().get("thread").asInt());
                        // All of the group's entries commit to the same previous checkpoint (size 2).
                        assertEquals(2, got.get(i).after().orElseThrow().size());
                    }
                }
                assertEquals(2, a.groups());
            }
        } finally {
            pool.shutdownNow();
        }
        AuditReport r = audit(db);
        assertTrue(r.clean(), () -> "audit: " + failCodes(r));
        assertEquals(1 + 1 + 6 + 1, r.entries());
        assertEquals(3, r.checkpoints(), "genesis + one per group");
    }

    @Test
    void failureInTheTransaction_failsEveryCallerOfTheGroup_andStoresNothingOfIt() throws Exception {
        Path db = LedgerFixtures.ledger(dir, "l.db", 0);
        int k = 5;
        ExecutorService pool = Executors.newFixedThreadPool(k + 1);
        try (Ledger l = Ledger.openForAppend(db, key())) {
            Gate g = new Gate(l, 2);
            try (GroupCommitAppender a = new GroupCommitAppender(l)) {
                List<List<EntryDraft>> reqs = new ArrayList<>();
                for (int t = 0; t < k; t++) reqs.add(List.of(draft(t, 0)));
                List<Future<List<LedgerEntry>>> fs = g.run(a, pool, reqs);
                Throwable firstCause = null;
                for (Future<List<LedgerEntry>> f : fs) {
                    var ex = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
                    assertEquals("injected failure in group 2", ex.getCause().getMessage());
                    if (firstCause == null) firstCause = ex.getCause();
                    assertSame(firstCause, ex.getCause(), "one failure, reported to every caller of the group");
                }
                assertEquals(2, l.size(), "the failed group stored nothing");
                // The appender and ledger keep working after a failed group.
                LedgerEntry after = a.append(draft(7, 7));
                assertEquals(2, after.seq());
            }
        } finally {
            pool.shutdownNow();
        }
        AuditReport r = audit(db);
        assertTrue(r.clean(), () -> "audit: " + failCodes(r));
        assertEquals(3, r.entries());
        assertEquals(3, r.checkpoints());
    }

    @Test
    void badBody_failsOnlyItsCaller_andEndClosesTheGroup() throws Exception {
        Path db = LedgerFixtures.ledger(dir, "l.db", 0);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (Ledger l = Ledger.openForAppend(db, key())) {
            Gate g = new Gate(l, -1);
            try (GroupCommitAppender a = new GroupCommitAppender(l)) {
                ObjectNode nan = JsonNodeFactory.instance.objectNode().put("loss", Double.NaN);
                TrainproofException bad = assertThrows(TrainproofException.class, () -> a.append(new EntryDraft("metrics", nan)));
                assertTrue(bad.getMessage().contains("'metrics' entry body"), bad.getMessage());
                List<Future<List<LedgerEntry>>> fs = g.run(a, pool,
                        List.of(List.of(new EntryDraft("end", JsonNodeFactory.instance.objectNode())), List.of(draft(1, 0))));
                assertEquals("end", fs.get(0).get(60, TimeUnit.SECONDS).get(0).kind());
                var ex = assertThrows(java.util.concurrent.ExecutionException.class, () -> fs.get(1).get(60, TimeUnit.SECONDS));
                assertTrue(ex.getCause().getMessage().contains("the run has ended"), ex.getCause().getMessage());
                assertEquals(3, a.groups());
            }
        } finally {
            pool.shutdownNow();
        }
        AuditReport r = audit(db);
        assertTrue(r.clean(), () -> "audit: " + failCodes(r));
        assertEquals(3, r.entries());
    }
}
