package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.trainproof.ledger.LedgerFixtures.attacker;
import static org.trainproof.ledger.LedgerFixtures.blob;
import static org.trainproof.ledger.LedgerFixtures.setBlob;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Severity;

/**
 * Entries are decoded in parallel (both cores), but findings must come out in ledger order: with
 * several bad entries, the first FAIL naming an entry names the first bad one, whatever the batch
 * size (1 entry, 2, 5, one batch, or 1 KB of bytes) and however the decoding threads interleave.
 */
class AuditFindingOrderTest {
    @TempDir
    Path dir;

    private static List<String> codesAt(AuditReport r) {
        return r.findings().stream().filter(f -> f.severity() == Severity.FAIL && f.location() != null && f.location().entry() != null)
                .map(f -> f.code() + "@" + f.location().entry()).toList();
    }

    @Test
    void severalBadEntries_firstInLedgerOrderIsNamedFirst_forEveryBatchSize() throws Exception {
        Path db = LedgerFixtures.ledger(dir, "l.db", 12); // 25 entries
        try (Connection c = attacker(db)) {
            // Late entry: not canonical (a space); middle entry: malformed; earlier entry: edited text (leaf hash mismatch).
            byte[] b17 = blob(c, "SELECT bytes FROM entries WHERE seq = 17");
            setBlob(c, "UPDATE entries SET bytes = ? WHERE seq = 17", new String(b17, StandardCharsets.UTF_8).replace(",", ", ").getBytes(StandardCharsets.UTF_8));
            setBlob(c, "UPDATE entries SET bytes = ? WHERE seq = 11", "{\"seq\":".getBytes(StandardCharsets.UTF_8));
            byte[] b4 = blob(c, "SELECT bytes FROM entries WHERE seq = 4");
            setBlob(c, "UPDATE entries SET bytes = ? WHERE seq = 4", new String(b4, StandardCharsets.UTF_8).replace("\"b1\"", "\"z1\"").getBytes(StandardCharsets.UTF_8));
        }
        List<String> reference = null;
        for (long[] lim : new long[][] {{4096, Long.MAX_VALUE}, {1, Long.MAX_VALUE}, {2, Long.MAX_VALUE}, {5, Long.MAX_VALUE}, {4096, 1024}}) {
            for (int repeat = 0; repeat < 5; repeat++) {
                AuditReport r;
                try (Ledger l = Ledger.openReadOnly(db)) {
                    r = new LedgerAudit(l, new AuditRequest(LedgerFixtures.vkey(), null, null), (int) lim[0], lim[1]).run();
                }
                assertFalse(r.clean());
                List<String> at = codesAt(r);
                Finding first = r.findings().stream().filter(f -> f.severity() == Severity.FAIL && f.location() != null
                        && f.location().entry() != null).findFirst().orElseThrow();
                assertEquals(4L, first.location().entry(), "first finding " + first.code() + " with batch " + lim[0] + "/" + lim[1] + ": " + at);
                // entry numbers never go backwards within one kind of finding, and every run lists the same
                assertEquals(at.stream().filter(s -> s.startsWith(LedgerFindings.ENTRY_LEAF_HASH_MISMATCH)).toList(),
                        List.of(LedgerFindings.ENTRY_LEAF_HASH_MISMATCH + "@4", LedgerFindings.ENTRY_LEAF_HASH_MISMATCH + "@11",
                                LedgerFindings.ENTRY_LEAF_HASH_MISMATCH + "@17"));
                if (reference == null) reference = at;
                assertEquals(reference, at, "batch " + lim[0] + "/" + lim[1]);
            }
        }
        assertEquals(true, reference.contains(LedgerFindings.ENTRY_MALFORMED + "@11"), reference.toString());
        assertEquals(true, reference.contains(LedgerFindings.ENTRY_NOT_CANONICAL + "@17"), reference.toString());
    }
}
