package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.trainlog.MetricsChunk;

/**
 * {@link Ledger#forEachMetricsSpan}, the recorder's start-up read: the same source, format, byte range
 * and digest as a strict decode of every metrics entry, on every shipped fixture ledger and on names
 * that need JSON escapes; an entry the streaming read cannot take fails as a strict decode does.
 */
class MetricsSpanReadTest {
    @TempDir
    Path dir;

    private static List<Ledger.MetricsSpan> strict(Ledger l) {
        List<Ledger.MetricsSpan> out = new ArrayList<>();
        l.forEachEntry(e -> {
            if (!e.kind().equals(EntryKinds.METRICS)) return;
            MetricsChunk c = LedgerMetrics.parseChunk(l, e);
            out.add(new Ledger.MetricsSpan(e.seq(), c.source(), c.format(), c.start(), c.end(), c.sha256()));
        });
        return out;
    }

    private static List<Ledger.MetricsSpan> fast(Ledger l, long toSeq) {
        List<Ledger.MetricsSpan> out = new ArrayList<>();
        l.forEachMetricsSpan(toSeq, out::add);
        return out;
    }

    @Test
    void fixtureLedgers_fastReadEqualsStrictDecode() throws Exception {
        int spans = 0, ledgers = 0;
        try (Stream<Path> s = Files.list(Path.of("fixtures"))) {
            for (Path d : (Iterable<Path>) s.sorted()::iterator) {
                Path db = d.resolve("ledger.db");
                if (!Files.isRegularFile(db)) continue;
                try (Ledger l = Ledger.openReadOnly(db)) {
                    if (d.getFileName().toString().equals("tampered")) continue; // its bytes are edited on purpose
                    List<Ledger.MetricsSpan> want = strict(l);
                    assertEquals(want, fast(l, l.size()), db.toString());
                    // the bound: entries at or above toSeq are not read
                    if (!want.isEmpty()) {
                        long cut = want.get(want.size() - 1).seq();
                        assertEquals(want.subList(0, want.size() - 1), fast(l, cut), db + " below " + cut);
                    }
                    spans += want.size();
                    ledgers++;
                }
            }
        }
        assertTrue(ledgers >= 5 && spans >= 10, ledgers + " ledgers, " + spans + " metrics entries");
    }

    @Test
    void namesThatNeedEscapes_fastReadEqualsStrictDecode() {
        Path db = dir.resolve("m.db");
        try (Ledger l = Ledger.init(db, LedgerFixtures.key(), LedgerFixtures.ORIGIN, JsonNodeFactory.instance.objectNode())) {
            Digest d = Digest.of(new byte[32]);
            for (String source : List.of("runs/a \"quoted\" \\ name.jsonl", "löss/日本語.jsonl", "tab\there\n.jsonl")) {
                MetricsChunk c = new MetricsChunk(source, LogFormat.JSONL, 7, 1234567890123L, d, List.of("loss"),
                        List.of(new MetricsChunk.Row(3, 0, 1.5, null)));
                l.append(List.of(new EntryDraft(EntryKinds.METRICS, c.toJson())));
            }
            l.append(List.of(new EntryDraft("event", LedgerFixtures.event(4, "between"))));
            List<Ledger.MetricsSpan> want = strict(l);
            assertEquals(3, want.size());
            assertEquals(want, fast(l, l.size()));
        }
    }

    @Test
    void metricsEntryThatIsNotJson_failsAsTheStrictReadDoes() throws Exception {
        Path db = dir.resolve("m.db");
        try (Ledger l = Ledger.init(db, LedgerFixtures.key(), LedgerFixtures.ORIGIN, JsonNodeFactory.instance.objectNode())) {
            MetricsChunk c = new MetricsChunk("a.jsonl", LogFormat.JSONL, 0, 10, Digest.of(new byte[32]), List.of("loss"),
                    List.of(new MetricsChunk.Row(0, 0, 2.0, null)));
            l.append(List.of(new EntryDraft(EntryKinds.METRICS, c.toJson())));
        }
        try (Connection c = LedgerFixtures.attacker(db); var ps = c.prepareStatement("UPDATE entries SET bytes = ? WHERE seq = 1")) {
            ps.setBytes(1, "{\"body\": {\"source\": \"a.jsonl\", not json".getBytes(StandardCharsets.UTF_8));
            ps.executeUpdate();
        }
        try (Ledger l = Ledger.openReadOnly(db)) {
            TrainproofException strict = assertThrows(TrainproofException.class, () -> strict(l));
            TrainproofException fast = assertThrows(TrainproofException.class, () -> fast(l, l.size()));
            assertEquals(ExitCode.INTEGRITY, fast.exitCode());
            assertEquals(strict.getMessage(), fast.getMessage());
            assertTrue(fast.getMessage().contains("entry 1"), fast.getMessage());
        }
    }

    @Test
    void signedMetricsBodyThatDoesNotParse_failsAsTheStrictReadDoes() {
        Path db = dir.resolve("m.db");
        try (Ledger l = Ledger.init(db, LedgerFixtures.key(), LedgerFixtures.ORIGIN, JsonNodeFactory.instance.objectNode())) {
            ObjectNode bad = JsonNodeFactory.instance.objectNode().put("source", "a.jsonl").put("format", "jsonl")
                    .put("sha256", "00".repeat(32));
            bad.putArray("byte_range").add(0).add(5.5);
            l.append(List.of(new EntryDraft(EntryKinds.METRICS, bad)));
            TrainproofException strict = assertThrows(TrainproofException.class, () -> strict(l));
            TrainproofException fast = assertThrows(TrainproofException.class, () -> fast(l, l.size()));
            assertEquals(strict.getMessage(), fast.getMessage());
            assertTrue(fast.getMessage().contains("metrics body does not parse"), fast.getMessage());
        }
    }
}
