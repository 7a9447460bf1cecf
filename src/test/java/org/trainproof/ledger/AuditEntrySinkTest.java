package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.Verification;

/**
 * verify builds its analysis input from the entries the integrity audit decodes (AuditRequest.entries),
 * instead of reading and parsing the ledger a second time: the audit must hand over exactly the
 * entries it decoded, in seq order, and a signed metrics body that does not parse must still end
 * verify with an integrity error naming the entry.
 */
class AuditEntrySinkTest {
    @TempDir
    Path dir;

    @Test
    void audit_handsOverEveryDecodedEntry_inSeqOrder_sameBytesAsARead() {
        Path db = LedgerFixtures.ledger(dir, "l.db", 7);
        List<LedgerEntry> seen = new ArrayList<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            // Batches of 2 entries: the hand-over crosses batch boundaries.
            AuditReport r = new LedgerAudit(l, new AuditRequest(LedgerFixtures.vkey(), null, null, null, null, seen::add), 2, Long.MAX_VALUE)
                    .run();
            assertTrue(r.clean(), r.findings().toString());
            List<LedgerEntry> read = l.entries();
            assertEquals(read.size(), seen.size());
            for (int i = 0; i < read.size(); i++) {
                assertEquals(i, seen.get(i).seq());
                assertArrayEquals(read.get(i).canonicalBytes(), seen.get(i).canonicalBytes());
                assertEquals(read.get(i).leafHash(), seen.get(i).leafHash());
            }
        }
    }

    @Test
    void audit_doesNotHandOverAnEntryWhoseBytesDoNotDecode() throws Exception {
        Path db = LedgerFixtures.ledger(dir, "l.db", 3);
        try (Connection c = LedgerFixtures.attacker(db); var ps = c.prepareStatement("UPDATE entries SET bytes = ? WHERE seq = 2")) {
            ps.setBytes(1, "{not json".getBytes(StandardCharsets.UTF_8));
            ps.executeUpdate();
        }
        List<Long> seqs = new ArrayList<>();
        AuditReport r = LedgerFixtures.audit(db, new AuditRequest(LedgerFixtures.vkey(), null, null, null, null, e -> seqs.add(e.seq())));
        assertFalse(r.clean());
        assertEquals(List.of(0L, 1L, 3L, 4L, 5L, 6L), seqs);
    }

    @Test
    void verify_signedMetricsBodyThatDoesNotParse_isAnIntegrityErrorNamingTheEntry() {
        Path db = dir.resolve("m.db");
        ObjectNode cfg = JsonNodeFactory.instance.objectNode().put("vocab_size", 50257).put("loss_units", "nats");
        try (Ledger l = Ledger.init(db, LedgerFixtures.key(), LedgerFixtures.ORIGIN, cfg)) {
            l.append(List.of(new EntryDraft("event", LedgerFixtures.event(1, "x"))));
            ObjectNode bad = JsonNodeFactory.instance.objectNode().put("step", 3).put("not_a_metrics_field", true);
            l.append(List.of(new EntryDraft(EntryKinds.METRICS, bad)));
        }
        TrainproofException e = assertThrows(TrainproofException.class, () -> Verification.run(new Verification.Request(db,
                LedgerFixtures.vkey(), null, null, 1L, false, false, null, null)));
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
        assertTrue(e.getMessage().contains("entry 2") && e.getMessage().contains("metrics body does not parse"), e.getMessage());
        // Integrity only: the same ledger is clean (the body is signed as written).
        Verification.Result only = Verification.run(new Verification.Request(db, LedgerFixtures.vkey(), null, null, 1L, true, false, null, null));
        assertTrue(only.audit().clean(), only.audit().findings().toString());
    }
}
