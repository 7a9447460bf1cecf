package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainproof.ledger.LedgerFixtures.audit;
import static org.trainproof.ledger.LedgerFixtures.failCodes;
import static org.trainproof.ledger.LedgerFixtures.key;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 1: several {@code record --log} at once must record each log byte exactly once
 * (they used to store the same byte range twice in 4 of 5 trials), and the audit must report two
 * chunks of one source that record the same bytes.
 */
class ConcurrentRecordTest {
    @TempDir
    Path dir;

    private static String lines(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int s = from; s < to; s++) b.append("{\"step\": ").append(s).append(", \"loss\": ").append(10.0 - s * 1e-3).append("}\n");
        return b.toString();
    }

    /** The byte ranges of every metrics chunk of {@code source}, in seq order. */
    private static List<long[]> ranges(Path db) {
        List<long[]> out = new ArrayList<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            l.forEachEntry(e -> {
                if (!e.kind().equals(EntryKinds.METRICS)) return;
                JsonNode r = e.body().get("byte_range");
                out.add(new long[] {r.get(0).asLong(), r.get(1).asLong()});
            });
        }
        return out;
    }

    @Test
    void concurrentRecorders_recordEachByteOnce() throws Exception {
        Path db = LedgerFixtures.ledger(dir, "l.db", 0);
        Path log = dir.resolve("train.jsonl");
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            int step = 0;
            for (int round = 0; round < 6; round++) {
                Files.writeString(log, lines(step, step + 2000), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                step += 2000;
                CyclicBarrier start = new CyclicBarrier(writers);
                List<Future<Long>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    done.add(pool.submit(() -> {
                        // Each writer its own connection, as separate processes have.
                        try (Ledger l = Ledger.openForAppend(db, key())) {
                            LogRecorder rec = new LogRecorder(l, s -> "train.jsonl");
                            start.await();
                            return rec.record(List.of(new LogRecorder.LogInput(log, null)), List.of()).sources().stream()
                                    .mapToLong(LogRecorder.SourceResult::records).sum();
                        }
                    }));
                }
                long recorded = 0;
                for (Future<Long> f : done) recorded += f.get();
                assertEquals(2000, recorded, "round " + round + ": records recorded by all writers together");
            }
        } finally {
            pool.shutdownNow();
        }
        long end = 0;
        for (long[] r : ranges(db)) {
            assertEquals(end, r[0], "chunks must tile the file: a chunk starts where the previous ended");
            end = r[1];
        }
        assertEquals(Files.size(log), end);
        AuditReport r = audit(db);
        assertTrue(r.clean(), r.findings().toString());
    }

    @Test
    void audit_sameBytesRecordedTwice_isLogRangeOverlap() throws Exception {
        Path db = LedgerFixtures.ledger(dir, "l.db", 0);
        Path log = dir.resolve("train.jsonl");
        Files.writeString(log, lines(0, 50), StandardCharsets.UTF_8);
        try (Ledger l = Ledger.openForAppend(db, key())) {
            new LogRecorder(l, s -> "train.jsonl").record(List.of(new LogRecorder.LogInput(log, null)), List.of());
            // A second recorder that loaded the ledger before the first appended (the race), replayed: it
            // appends the same chunk again, signed and chained like any honest entry.
            JsonNode chunk = l.entries().get(1).body();
            l.append(List.of(new EntryDraft(EntryKinds.METRICS, (com.fasterxml.jackson.databind.node.ObjectNode) chunk)));
        }
        AuditReport r = audit(db);
        assertEquals(java.util.Set.of(LedgerFindings.LOG_RANGE_OVERLAP), failCodes(r), r.findings().toString());
    }

    @Test
    void audit_adjacentChunksOfOneSource_areClean() throws Exception {
        Path db = LedgerFixtures.ledger(dir, "l.db", 0);
        Path log = dir.resolve("train.jsonl");
        Files.writeString(log, lines(0, 50), StandardCharsets.UTF_8);
        try (Ledger l = Ledger.openForAppend(db, key())) {
            new LogRecorder(l, s -> "train.jsonl").record(List.of(new LogRecorder.LogInput(log, null)), List.of());
            Files.writeString(log, lines(50, 90), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            new LogRecorder(l, s -> "train.jsonl").record(List.of(new LogRecorder.LogInput(log, null)), List.of());
        }
        assertEquals(2, ranges(db).size());
        AuditReport r = audit(db);
        assertTrue(r.clean(), r.findings().toString());
    }
}
