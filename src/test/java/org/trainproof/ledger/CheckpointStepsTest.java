package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.trainproof.bytes.Digest;
import org.trainproof.ledger.sqlite.TrustedTimeStore;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.trainlog.MetricsChunk;

/**
 * TrustedTimeStore.checkpoints gives each signed checkpoint the step of the last stepped entry it
 * covers. It used a correlated subquery, O(checkpoints × entries) when a run records logs only; now one
 * scan and a binary search. Here the subquery it replaced is the reference, on every fixture ledger and
 * on a ledger that interleaves stepped entries (events), entries without a step (metrics) and
 * checkpoints that cover no stepped entry at all.
 */
class CheckpointStepsTest {
    @TempDir
    Path dir;

    /** (id, size, step) by the replaced query, read-only on a copy of {@code db}. */
    private List<String> reference(Path db) throws Exception {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        List<String> out = new ArrayList<>();
        try (Connection c = cfg.createConnection("jdbc:sqlite:" + db.toAbsolutePath()); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT c.id, c.size, c.note,"
                        + " (SELECT e.step FROM entries e WHERE e.seq < c.size AND e.step IS NOT NULL ORDER BY e.seq DESC LIMIT 1)"
                        + " FROM checkpoints c ORDER BY c.id")) {
            while (rs.next()) {
                long step = rs.getLong(4);
                String s = rs.wasNull() ? "null" : Long.toString(step);
                out.add(rs.getLong(1) + "/" + rs.getLong(2) + "/" + s + "/" + java.util.Arrays.hashCode(rs.getBytes(3)));
            }
        }
        return out;
    }

    private static List<String> now(Path db) {
        List<String> out = new ArrayList<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            for (TrustedTimeStore.CheckpointRef c : l.trustedTime().checkpoints()) {
                out.add(c.id() + "/" + c.size() + "/" + c.step() + "/" + java.util.Arrays.hashCode(c.note()));
            }
        }
        return out;
    }

    @Test
    void fixtureLedgers_sameStepsAsTheSubquery() throws Exception {
        int ledgers = 0;
        int withStep = 0;
        try (Stream<Path> s = Files.list(Path.of("fixtures"))) {
            for (Path d : (Iterable<Path>) s.sorted()::iterator) {
                Path db = d.resolve("ledger.db");
                if (!Files.isRegularFile(db) || d.getFileName().toString().equals("tampered")) continue;
                Path copy = Files.copy(db, dir.resolve(d.getFileName() + ".db"));
                List<String> want = reference(copy);
                assertEquals(want, now(copy), db.toString());
                withStep += (int) want.stream().filter(x -> !x.contains("/null/")).count();
                ledgers++;
            }
        }
        assertTrue(ledgers >= 5 && withStep >= 10, ledgers + " ledgers, " + withStep + " checkpoints with a step");
    }

    @Test
    void interleavedSteppedAndUnsteppedEntries_sameStepsAsTheSubquery() throws Exception {
        Path db = dir.resolve("m.db");
        Digest d = Digest.of(new byte[32]);
        long at = 0;
        try (Ledger l = Ledger.init(db, LedgerFixtures.key(), LedgerFixtures.ORIGIN, JsonNodeFactory.instance.objectNode())) {
            // batches: m = a metrics entry (no step), e = an event with a step; each batch one checkpoint
            for (String batch : List.of("m", "mm", "e", "m", "mmm", "em", "me", "m", "ee", "m", "m")) {
                List<EntryDraft> drafts = new ArrayList<>();
                for (char k : batch.toCharArray()) {
                    if (k == 'm') {
                        MetricsChunk c = new MetricsChunk("a.jsonl", LogFormat.JSONL, at, at + 10, d, List.of("loss"),
                                List.of(new MetricsChunk.Row(at, 0, 1.0, null)));
                        drafts.add(new EntryDraft(EntryKinds.METRICS, c.toJson()));
                    } else {
                        drafts.add(new EntryDraft("event", LedgerFixtures.event(at, "e" + at)));
                    }
                    at += 10;
                }
                l.append(drafts);
            }
        }
        List<String> want = reference(db);
        assertEquals(12, want.size(), want.toString());
        assertTrue(want.stream().anyMatch(x -> x.contains("/null/")) && want.stream().anyMatch(x -> !x.contains("/null/")), want.toString());
        assertEquals(want, now(db));
    }
}
