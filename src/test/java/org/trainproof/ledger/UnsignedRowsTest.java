package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainproof.ledger.LedgerFixtures.audit;
import static org.trainproof.ledger.LedgerFixtures.failCodes;
import static org.trainproof.ledger.LedgerFixtures.sql;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.note.VerifierKey;
import org.trainproof.verdict.Finding;

/**
 * Issue 20, item 2: rows no signature covers (checkpoint rows, node indexes, the schema) must be
 * accounted for. Each test is one mutation by an attacker with the file but not the key.
 */
class UnsignedRowsTest {
    @TempDir
    Path dir;

    private Path fresh() {
        return LedgerFixtures.ledger(dir, "l.db", 6); // 13 entries; checkpoints of sizes 1, 3, 5, ..., 13
    }

    /** Raw SQL that keeps the append-only triggers (so only the mutation itself differs). */
    private static void raw(Path db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath()); Statement st = c.createStatement()) {
            for (String s : statements) st.execute(s);
        }
    }

    private static void assertOnly(AuditReport r, String... codes) {
        assertFalse(r.clean(), "audit reported clean");
        assertEquals(Set.of(codes), failCodes(r), r.findings().toString());
    }

    @Test
    void untouched_formatTwoLedger_isCleanWithAfterOnEveryEntryButGenesis() {
        Path db = fresh();
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(2, l.formatVersion());
            var es = l.entries();
            assertTrue(es.get(0).after().isEmpty());
            assertEquals(1, es.get(1).after().orElseThrow().size());
            assertEquals(1, es.get(2).after().orElseThrow().size()); // same transaction
            assertEquals(3, es.get(3).after().orElseThrow().size());
            assertEquals(l.root(3), es.get(3).after().orElseThrow().root());
        }
        AuditReport r = audit(db);
        assertTrue(r.clean(), r.findings().toString());
        assertTrue(r.findings().stream().noneMatch(f -> f.code().equals(LedgerFindings.LEDGER_FORMAT_1)));
    }

    @Test
    void deletedFirstCheckpointRow_isCheckpointMissing() throws Exception {
        Path db = fresh();
        sql(db, "DELETE FROM checkpoints WHERE size = 1");
        assertTrue(failCodes(audit(db)).contains(LedgerFindings.CHECKPOINT_MISSING));
    }

    @Test
    void deletedMiddleCheckpointRow_isCheckpointMissing() throws Exception {
        Path db = fresh();
        sql(db, "DELETE FROM checkpoints WHERE size = 7");
        AuditReport r = audit(db);
        assertTrue(failCodes(r).contains(LedgerFindings.CHECKPOINT_MISSING), r.findings().toString());
        Finding f = r.findings().stream().filter(x -> x.code().equals(LedgerFindings.CHECKPOINT_MISSING)).findFirst().orElseThrow();
        assertTrue(f.message().contains("size 7"), f.message());
    }

    @Test
    void swappedCheckpointRows_isCheckpointOrder_andHeadTakesTheLargestSize() throws Exception {
        Path db = fresh();
        String newest;
        try (Ledger l = Ledger.openReadOnly(db)) {
            newest = l.latestCheckpointNote();
        }
        // Swap the rows of sizes 11 and 13 (ids 6 and 7): the older note now has the largest id.
        sql(db, "UPDATE checkpoints SET id = 100 WHERE size = 11", "UPDATE checkpoints SET id = 6 WHERE size = 13",
                "UPDATE checkpoints SET id = 7 WHERE size = 11");
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(newest, l.latestCheckpointNote(), "head must choose by size, not by row id");
        }
        assertTrue(failCodes(audit(db)).contains(LedgerFindings.CHECKPOINT_ORDER));
    }

    @Test
    void olderNoteCopiedAsNewestRow_refusedByIndex_andDetectedWithoutIt() throws Exception {
        Path db = fresh();
        String newest;
        try (Ledger l = Ledger.openReadOnly(db)) {
            newest = l.latestCheckpointNote();
        }
        org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                () -> raw(db, "INSERT INTO checkpoints(size, note) SELECT size, note FROM checkpoints WHERE size = 5"));
        raw(db, "DROP INDEX checkpoints_by_size", "INSERT INTO checkpoints(size, note) SELECT size, note FROM checkpoints WHERE size = 5");
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(newest, l.latestCheckpointNote(), "head must not print the stale copy");
        }
        assertOnly(audit(db), LedgerFindings.CHECKPOINT_ORDER, LedgerFindings.SCHEMA_MISMATCH);
    }

    @Test
    void nodeRowAtIndexMinusOne_isNodeExtra() throws Exception {
        Path db = fresh();
        raw(db, "INSERT INTO nodes(idx, hash) VALUES (-1, zeroblob(32))");
        assertOnly(audit(db), LedgerFindings.NODE_EXTRA);
    }

    @Test
    void entryRowAtSeqMinusOne_detected() throws Exception {
        Path db = fresh();
        raw(db, "INSERT INTO entries(seq, kind, step, leaf_hash, bytes) SELECT -1, kind, step, leaf_hash, bytes FROM entries WHERE seq = 0");
        assertTrue(failCodes(audit(db)).contains(LedgerFindings.ENTRY_SEQ_GAP));
    }

    @Test
    void extraMetaKey_isSchemaMismatch() throws Exception {
        Path db = fresh();
        raw(db, "INSERT INTO meta(key, value) VALUES ('trusted', 'yes')");
        assertOnly(audit(db), LedgerFindings.SCHEMA_MISMATCH);
    }

    @Test
    void droppedTrigger_isSchemaMismatch() throws Exception {
        Path db = fresh();
        raw(db, "DROP TRIGGER checkpoints_no_delete");
        assertOnly(audit(db), LedgerFindings.SCHEMA_MISMATCH);
    }

    @Test
    void droppedIndex_isSchemaMismatch() throws Exception {
        Path db = fresh();
        raw(db, "DROP INDEX entries_by_step");
        assertOnly(audit(db), LedgerFindings.SCHEMA_MISMATCH);
    }

    @Test
    void extraTable_isSchemaMismatch() throws Exception {
        Path db = fresh();
        raw(db, "CREATE TABLE notes(x TEXT)");
        assertOnly(audit(db), LedgerFindings.SCHEMA_MISMATCH);
    }

    @Test
    void changedTriggerBody_isSchemaMismatch() throws Exception {
        Path db = fresh();
        raw(db, "DROP TRIGGER entries_no_update",
                "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries WHEN 0 BEGIN SELECT RAISE(ABORT, 'append-only ledger: UPDATE refused'); END");
        assertOnly(audit(db), LedgerFindings.SCHEMA_MISMATCH);
    }

    @Test
    void formatOneFixture_stillVerifies_andSaysItLacksTheProtection() throws Exception {
        Path src = Path.of("fixtures", "scratch");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(src.resolve("ledger.db")), "no committed fixtures");
        Path db = dir.resolve("scratch.db");
        Files.copy(src.resolve("ledger.db"), db);
        VerifierKey key = VerifierKey.parse(Files.readString(src.resolve("signer.pub")).strip());
        AuditReport r = audit(db, new AuditRequest(key, null, null));
        assertTrue(r.clean(), r.findings().toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.code().equals(LedgerFindings.LEDGER_FORMAT_1)), r.findings().toString());
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(1, l.formatVersion());
        }
    }

    @Test
    void formatOneLedger_withAnExtraIndex_isSchemaMismatch() throws Exception {
        Path src = Path.of("fixtures", "scratch");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(src.resolve("ledger.db")), "no committed fixtures");
        Path db = dir.resolve("scratch.db");
        Files.copy(src.resolve("ledger.db"), db);
        raw(db, "CREATE INDEX x ON nodes(hash)");
        VerifierKey key = VerifierKey.parse(Files.readString(src.resolve("signer.pub")).strip());
        assertOnly(audit(db, new AuditRequest(key, null, null)), LedgerFindings.SCHEMA_MISMATCH);
    }
}
