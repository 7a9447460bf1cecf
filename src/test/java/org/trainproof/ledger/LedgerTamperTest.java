package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainproof.ledger.LedgerFixtures.attacker;
import static org.trainproof.ledger.LedgerFixtures.audit;
import static org.trainproof.ledger.LedgerFixtures.blob;
import static org.trainproof.ledger.LedgerFixtures.failCodes;
import static org.trainproof.ledger.LedgerFixtures.ledger;
import static org.trainproof.ledger.LedgerFixtures.setBlob;
import static org.trainproof.ledger.LedgerFixtures.sql;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.bytes.Digest;
import org.trainproof.merkle.Hashes;
import org.trainproof.note.Checkpoint;

/**
 * One test per mutation an attacker with the file can make, each named after it, asserting the
 * finding codes the audit must report. The untouched ledger audits clean (first test), so every
 * finding below comes from the mutation.
 */
class LedgerTamperTest {
    @TempDir
    Path dir;

    private static final int BATCHES = 6; // 13 entries, 7 checkpoints

    private Path fresh() {
        return ledger(dir, "l.db", BATCHES);
    }

    private static void assertHas(AuditReport r, String... codes) {
        Set<String> got = failCodes(r);
        assertFalse(r.clean(), "audit reported clean: " + r.findings());
        for (String c : codes) assertTrue(got.contains(c), "missing " + c + " in " + got);
    }

    @Test
    void untouched_ledger_isClean() {
        AuditReport r = audit(fresh());
        assertTrue(r.clean(), r.findings().toString());
        assertEquals(13, r.entries());
        assertEquals(7, r.checkpoints());
        assertEquals(Set.of(), failCodes(r));
    }

    @Test
    void editedEntryByte_detected() throws Exception {
        Path db = fresh();
        try (Connection c = attacker(db)) {
            byte[] b = blob(c, "SELECT bytes FROM entries WHERE seq = 5");
            String s = new String(b, StandardCharsets.UTF_8).replace("\"a2\"", "\"x2\"");
            setBlob(c, "UPDATE entries SET bytes = ? WHERE seq = 5", s.getBytes(StandardCharsets.UTF_8));
        }
        assertHas(audit(db), LedgerFindings.ENTRY_LEAF_HASH_MISMATCH, LedgerFindings.ENTRY_CHAIN_BROKEN,
                LedgerFindings.NODE_HASH_MISMATCH, LedgerFindings.CHECKPOINT_ROOT_MISMATCH);
    }

    @Test
    void editedEntryByteWithRecomputedLeafHashColumn_detected() throws Exception {
        Path db = fresh();
        try (Connection c = attacker(db)) {
            byte[] b = blob(c, "SELECT bytes FROM entries WHERE seq = 12");
            byte[] edited = new String(b, StandardCharsets.UTF_8).replace("\"b5\"", "\"c5\"").getBytes(StandardCharsets.UTF_8);
            setBlob(c, "UPDATE entries SET bytes = ? WHERE seq = 12", edited);
            setBlob(c, "UPDATE entries SET leaf_hash = ? WHERE seq = 12", Hashes.leaf(edited).toByteArray());
        }
        assertHas(audit(db), LedgerFindings.NODE_HASH_MISMATCH, LedgerFindings.CHECKPOINT_ROOT_MISMATCH);
    }

    @Test
    void nonCanonicalEntryBytes_detected() throws Exception {
        Path db = fresh();
        try (Connection c = attacker(db)) {
            byte[] b = blob(c, "SELECT bytes FROM entries WHERE seq = 3");
            byte[] spaced = new String(b, StandardCharsets.UTF_8).replace(",", ", ").getBytes(StandardCharsets.UTF_8);
            setBlob(c, "UPDATE entries SET bytes = ? WHERE seq = 3", spaced);
        }
        assertHas(audit(db), LedgerFindings.ENTRY_NOT_CANONICAL, LedgerFindings.CHECKPOINT_ROOT_MISMATCH);
    }

    @Test
    void garbageEntryBytes_detected() throws Exception {
        Path db = fresh();
        try (Connection c = attacker(db)) {
            setBlob(c, "UPDATE entries SET bytes = ? WHERE seq = 4", new byte[] {(byte) 0xff, 0x00, 0x7b});
        }
        assertHas(audit(db), LedgerFindings.ENTRY_MALFORMED, LedgerFindings.CHECKPOINT_ROOT_MISMATCH);
    }

    @Test
    void deletedEntryRow_detected() throws Exception {
        Path db = fresh();
        sql(db, "DELETE FROM entries WHERE seq = 6");
        assertHas(audit(db), LedgerFindings.ENTRY_SEQ_GAP, LedgerFindings.ENTRY_SEQ_MISMATCH, LedgerFindings.ENTRY_CHAIN_BROKEN,
                LedgerFindings.CHECKPOINT_ROOT_MISMATCH);
    }

    @Test
    void deletedLastEntryRows_detected() throws Exception {
        Path db = fresh();
        sql(db, "DELETE FROM entries WHERE seq >= 11");
        assertHas(audit(db), LedgerFindings.CHECKPOINT_BEYOND_LEDGER, LedgerFindings.NODE_EXTRA);
    }

    @Test
    void insertedEntryRowAtEnd_detected() throws Exception {
        Path db = fresh();
        // A well-formed forged entry with the right seq and prev, appended without a signature.
        try (Connection c = attacker(db)) {
            byte[] prev = blob(c, "SELECT leaf_hash FROM entries WHERE seq = 12");
            byte[] forged = Entries.build(13, Digest.of(prev), null, "event", java.time.Instant.now(),
                    LedgerFixtures.event(99, "forged")).canonicalBytes();
            try (var ps = c.prepareStatement("INSERT INTO entries(seq, kind, step, leaf_hash, bytes) VALUES (13, 'event', 99, ?, ?)")) {
                ps.setBytes(1, Hashes.leaf(forged).toByteArray());
                ps.setBytes(2, forged);
                ps.executeUpdate();
            }
        }
        assertHas(audit(db), LedgerFindings.ENTRIES_NOT_SIGNED, LedgerFindings.NODE_MISSING);
    }

    @Test
    void insertedEntryRowInMiddle_detected() throws Exception {
        Path db = fresh();
        sql(db, "CREATE TABLE t AS SELECT * FROM entries WHERE seq >= 4",
                "DELETE FROM entries WHERE seq >= 4",
                "INSERT INTO entries SELECT seq + 1, kind, step, leaf_hash, bytes FROM t",
                "INSERT INTO entries SELECT 4, kind, step, leaf_hash, bytes FROM t WHERE seq = 4",
                "DROP TABLE t");
        assertHas(audit(db), LedgerFindings.ENTRY_SEQ_MISMATCH, LedgerFindings.ENTRY_CHAIN_BROKEN,
                LedgerFindings.CHECKPOINT_ROOT_MISMATCH, LedgerFindings.ENTRIES_NOT_SIGNED);
    }

    @Test
    void duplicatedEntryRow_detected() throws Exception {
        Path db = fresh();
        sql(db, "INSERT INTO entries SELECT 13, kind, step, leaf_hash, bytes FROM entries WHERE seq = 7");
        assertHas(audit(db), LedgerFindings.ENTRY_SEQ_MISMATCH, LedgerFindings.ENTRY_CHAIN_BROKEN, LedgerFindings.ENTRIES_NOT_SIGNED);
    }

    @Test
    void reorderedEntryRows_detected() throws Exception {
        Path db = fresh();
        sql(db, "UPDATE entries SET seq = -1 WHERE seq = 8",
                "UPDATE entries SET seq = 8 WHERE seq = 9",
                "UPDATE entries SET seq = 9 WHERE seq = -1");
        assertHas(audit(db), LedgerFindings.ENTRY_SEQ_MISMATCH, LedgerFindings.ENTRY_CHAIN_BROKEN,
                LedgerFindings.CHECKPOINT_ROOT_MISMATCH);
    }

    @Test
    void changedKindColumn_detected() throws Exception {
        Path db = fresh();
        sql(db, "UPDATE entries SET kind = 'checkpoint' WHERE seq = 2");
        assertHas(audit(db), LedgerFindings.ENTRY_COLUMN_MISMATCH);
    }

    @Test
    void changedStepColumn_detected() throws Exception {
        Path db = fresh();
        sql(db, "UPDATE entries SET step = 7 WHERE seq = 3");
        assertHas(audit(db), LedgerFindings.ENTRY_COLUMN_MISMATCH);
    }

    @Test
    void changedNodeIndexColumn_detected() throws Exception {
        Path db = fresh();
        sql(db, "UPDATE nodes SET idx = 5000 WHERE idx = 3");
        assertHas(audit(db), LedgerFindings.NODE_MISSING, LedgerFindings.NODE_EXTRA);
    }

    /** meta.created_by is the one stored value no decision uses: changing it changes nothing reported. */
    @Test
    void changedCreatedBy_unusedByAudit() throws Exception {
        Path db = fresh();
        // The attacker puts the trigger back exactly as it was (a missing one is SCHEMA_MISMATCH).
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath()); var st = c.createStatement()) {
            st.execute("DROP TRIGGER meta_no_update");
            st.execute("UPDATE meta SET value = 'someone else' WHERE key = 'created_by'");
            st.execute("CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta BEGIN SELECT RAISE(ABORT, 'append-only ledger: UPDATE refused'); END");
        }
        AuditReport r = audit(db);
        assertTrue(r.clean(), r.findings().toString());
    }

    /** Checkpoint row ids decide nothing (head takes the largest size) but must follow size order. */
    @Test
    void changedCheckpointId_isCheckpointOrder_andHeadStillTakesTheLargestSize() throws Exception {
        Path db = fresh();
        String newest;
        try (Ledger l = Ledger.openReadOnly(db)) {
            newest = l.latestCheckpointNote();
        }
        sql(db, "UPDATE checkpoints SET id = id + 1000 WHERE size = 7");
        assertHas(audit(db), LedgerFindings.CHECKPOINT_ORDER);
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(newest, l.latestCheckpointNote());
        }
    }

    @Test
    void changedLeafHashColumnOnly_detected() throws Exception {
        Path db = fresh();
        sql(db, "UPDATE entries SET leaf_hash = zeroblob(32) WHERE seq = 2");
        assertHas(audit(db), LedgerFindings.ENTRY_LEAF_HASH_MISMATCH);
    }

    @Test
    void changedStoredNodeHash_detected() throws Exception {
        Path db = fresh();
        sql(db, "UPDATE nodes SET hash = zeroblob(32) WHERE idx = 4");
        assertHas(audit(db), LedgerFindings.NODE_HASH_MISMATCH);
    }

    @Test
    void deletedStoredNodeRow_detected() throws Exception {
        Path db = fresh();
        sql(db, "DELETE FROM nodes WHERE idx = 7");
        assertHas(audit(db), LedgerFindings.NODE_MISSING);
    }

    @Test
    void insertedStoredNodeRow_detected() throws Exception {
        Path db = fresh();
        sql(db, "INSERT INTO nodes(idx, hash) VALUES (100000, zeroblob(32))");
        assertHas(audit(db), LedgerFindings.NODE_EXTRA);
    }

    @Test
    void checkpointSignedByAnotherKey_detected() throws Exception {
        Path db = fresh();
        try (Ledger l = Ledger.openReadOnly(db); Connection c = attacker(db)) {
            String forged = Checkpoint.sign(LedgerFixtures.ORIGIN, 13, l.root(13), LedgerFixtures.otherKey());
            setBlob(c, "UPDATE checkpoints SET note = ? WHERE size = 13", forged.getBytes(StandardCharsets.UTF_8));
        }
        assertHas(audit(db), LedgerFindings.CHECKPOINT_UNKNOWN_KEY, LedgerFindings.ENTRIES_NOT_SIGNED);
    }

    @Test
    void checkpointWithBadSignature_detected() throws Exception {
        Path db = fresh();
        try (Connection c = attacker(db)) {
            String note = new String(blob(c, "SELECT note FROM checkpoints WHERE size = 7"), StandardCharsets.UTF_8);
            int at = note.lastIndexOf(' ') + 1;
            byte[] sig = Base64.getDecoder().decode(note.substring(at).trim());
            sig[20] ^= 1;
            String bad = note.substring(0, at) + Base64.getEncoder().encodeToString(sig) + "\n";
            setBlob(c, "UPDATE checkpoints SET note = ? WHERE size = 7", bad.getBytes(StandardCharsets.UTF_8));
        }
        assertHas(audit(db), LedgerFindings.CHECKPOINT_BAD_SIGNATURE);
    }

    @Test
    void checkpointRootNotMatchingTree_detected() throws Exception {
        Path db = fresh();
        try (Connection c = attacker(db)) {
            String forged = Checkpoint.sign(LedgerFixtures.ORIGIN, 9, Digest.sha256(new byte[] {1}), LedgerFixtures.key());
            setBlob(c, "UPDATE checkpoints SET note = ? WHERE size = 9", forged.getBytes(StandardCharsets.UTF_8));
        }
        assertHas(audit(db), LedgerFindings.CHECKPOINT_ROOT_MISMATCH);
    }

    @Test
    void changedCheckpointSizeColumn_detected() throws Exception {
        Path db = fresh();
        sql(db, "UPDATE checkpoints SET size = 8 WHERE size = 9");
        assertHas(audit(db), LedgerFindings.CHECKPOINT_SIZE_MISMATCH);
    }

    @Test
    void checkpointSizeColumnMovedLater_otherCheckpointsStillChecked() throws Exception {
        Path db = fresh();
        sql(db, "UPDATE checkpoints SET size = 12 WHERE size = 5");
        AuditReport r = audit(db);
        assertHas(r, LedgerFindings.CHECKPOINT_SIZE_MISMATCH);
        assertFalse(failCodes(r).contains(LedgerFindings.CHECKPOINT_BEYOND_LEDGER), r.findings().toString());
        assertFalse(failCodes(r).contains(LedgerFindings.ENTRIES_NOT_SIGNED), r.findings().toString());
    }

    @Test
    void deletedLatestCheckpointRow_detected() throws Exception {
        Path db = fresh();
        sql(db, "DELETE FROM checkpoints WHERE size = 13");
        assertHas(audit(db), LedgerFindings.ENTRIES_NOT_SIGNED);
    }

    @Test
    void deletedAllCheckpointRows_detected() throws Exception {
        Path db = fresh();
        sql(db, "DELETE FROM checkpoints");
        assertHas(audit(db), LedgerFindings.NO_VALID_CHECKPOINT);
    }

    @Test
    void changedOriginInMeta_detected() throws Exception {
        Path db = fresh();
        sql(db, "UPDATE meta SET value = 'example.com/other' WHERE key = 'origin'");
        assertHas(audit(db), LedgerFindings.CHECKPOINT_ORIGIN_MISMATCH, LedgerFindings.NO_VALID_CHECKPOINT);
    }

    @Test
    void replacedVerifierKeyInMeta_detectedWithAuditorsKey() throws Exception {
        Path db = fresh();
        String other = LedgerFixtures.otherKey().verifierKey();
        sql(db, "UPDATE meta SET value = '" + other + "' WHERE key = 'vkey'");
        assertHas(audit(db), LedgerFindings.LEDGER_KEY_MISMATCH);
    }

    @Test
    void rolledBackToOlderCopy_detectedWithSavedCheckpoint() throws Exception {
        Path db = fresh();
        Path old = dir.resolve("old.db");
        Files.copy(db, old);
        byte[] saved;
        try (Ledger l = Ledger.openForAppend(db, LedgerFixtures.key())) {
            l.append(List.of(new EntryDraft("event", LedgerFixtures.event(100, "later"))));
            saved = l.latestCheckpointNote().getBytes(StandardCharsets.UTF_8);
        }
        Files.copy(old, db, StandardCopyOption.REPLACE_EXISTING);
        AuditReport withoutSaved = audit(db);
        assertTrue(withoutSaved.clean(), "a rollback without a saved checkpoint is undetectable; the audit must not invent findings");
        assertHas(audit(db, new AuditRequest(LedgerFixtures.vkey(), saved, null)), LedgerFindings.LEDGER_ROLLED_BACK);
    }

    @Test
    void forkedFromSavedCheckpoint_detected() throws Exception {
        Path db = fresh();
        Path fork = dir.resolve("fork.db");
        Files.copy(db, fork);
        byte[] saved;
        try (Ledger l = Ledger.openForAppend(db, LedgerFixtures.key())) {
            l.append(List.of(new EntryDraft("event", LedgerFixtures.event(100, "honest"))));
            l.append(List.of(new EntryDraft("event", LedgerFixtures.event(110, "honest 2"))));
            saved = l.latestCheckpointNote().getBytes(StandardCharsets.UTF_8);
        }
        try (Ledger l = Ledger.openForAppend(fork, LedgerFixtures.key())) {
            l.append(List.of(new EntryDraft("event", LedgerFixtures.event(100, "rewritten"))));
            l.append(List.of(new EntryDraft("event", LedgerFixtures.event(110, "rewritten 2")),
                    new EntryDraft("event", LedgerFixtures.event(120, "more"))));
        }
        AuditReport r = audit(fork, new AuditRequest(LedgerFixtures.vkey(), saved, null));
        assertHas(r, LedgerFindings.LEDGER_FORKED);
        // The honest ledger is consistent with its own saved checkpoint.
        assertTrue(audit(db, new AuditRequest(LedgerFixtures.vkey(), saved, null)).clean());
    }

    @Test
    void sameSizeForkFromSavedCheckpoint_detected() throws Exception {
        Path db = fresh();
        Path fork = dir.resolve("fork.db");
        Files.copy(db, fork);
        byte[] saved;
        try (Ledger l = Ledger.openForAppend(db, LedgerFixtures.key())) {
            l.append(List.of(new EntryDraft("event", LedgerFixtures.event(100, "honest"))));
            saved = l.latestCheckpointNote().getBytes(StandardCharsets.UTF_8);
        }
        try (Ledger l = Ledger.openForAppend(fork, LedgerFixtures.key())) {
            l.append(List.of(new EntryDraft("event", LedgerFixtures.event(100, "other"))));
        }
        assertHas(audit(fork, new AuditRequest(LedgerFixtures.vkey(), saved, null)), LedgerFindings.LEDGER_FORKED);
    }

    @Test
    void modifiedCheckpointFileOnDisk_detectedWithArtifacts() throws Exception {
        Path art = Files.createDirectories(dir.resolve("run"));
        Path f1 = art.resolve("model-100.bin");
        Path f2 = art.resolve("model-200.bin");
        byte[] data = new byte[100_000];
        new Random(1).nextBytes(data);
        Files.write(f1, data);
        Files.write(f2, data);
        Path db = fresh();
        try (Ledger l = Ledger.openForAppend(db, LedgerFixtures.key())) {
            for (Path f : List.of(f1, f2)) {
                var body = JsonNodeFactory.instance.objectNode().put("step", f == f1 ? 100 : 200);
                body.set("checkpoint", CheckpointBodies.of(List.of(f)));
                l.append(List.of(new EntryDraft("checkpoint", body)));
            }
        }
        AuditRequest req = new AuditRequest(LedgerFixtures.vkey(), null, art);
        assertTrue(audit(db, req).clean());
        data[5000] ^= 1;
        Files.write(f1, data);
        Files.write(f2, java.util.Arrays.copyOf(data, 99_999));
        AuditReport r = audit(db, req);
        assertHas(r, LedgerFindings.ARTIFACT_DIGEST_MISMATCH, LedgerFindings.ARTIFACT_SIZE_MISMATCH);
        assertTrue(r.findings().stream().anyMatch(f -> f.code().equals(LedgerFindings.ARTIFACT_DIGEST_MISMATCH)
                && "model-100.bin".equals(f.location().file()) && Long.valueOf(100).equals(f.location().step())), r.findings().toString());
        Files.delete(f2);
        AuditReport missing = audit(db, req);
        assertTrue(failCodes(missing).contains(LedgerFindings.ARTIFACT_MISSING));
    }

    @Test
    void modifiedTensorInSafetensorsCheckpoint_localisedToTensor() throws Exception {
        Path art = Files.createDirectories(dir.resolve("st"));
        Path f = art.resolve("step-100.safetensors");
        double[] w = new double[4096];
        double[] g = new double[64];
        Random rnd = new Random(2);
        for (int i = 0; i < w.length; i++) w[i] = rnd.nextGaussian() * 0.02;
        java.util.Arrays.fill(g, 1.0);
        new org.trainproof.checkpoint.SafetensorsWriter()
                .tensor("h.0.w", org.trainproof.checkpoint.Dtype.F32, new long[] {64, 64}, w)
                .tensor("ln.g", org.trainproof.checkpoint.Dtype.F32, new long[] {64}, g)
                .write(f);
        Path db = fresh();
        try (Ledger l = Ledger.openForAppend(db, LedgerFixtures.key())) {
            var body = JsonNodeFactory.instance.objectNode().put("step", 100);
            body.set("checkpoint", CheckpointBodies.of(List.of(f)));
            assertEquals(1, body.get("checkpoint").get("manifests").size(), "a safetensors file is recorded by its manifest");
            l.append(List.of(new EntryDraft("checkpoint", body)));
        }
        AuditRequest req = new AuditRequest(LedgerFixtures.vkey(), null, art);
        assertTrue(audit(db, req).clean(), audit(db, req).findings().toString());
        // Flip one bit inside ln.g's bytes: the header (8 + N) and h.0.w (F32 sorted first by name) precede it.
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 3] ^= 0x01;
        Files.write(f, bytes);
        AuditReport r = audit(db, req);
        assertTrue(r.findings().stream().anyMatch(x -> x.code().equals(LedgerFindings.ARTIFACT_DIGEST_MISMATCH)
                && "ln.g".equals(x.location().tensor()) && Long.valueOf(100).equals(x.location().step())), r.findings().toString());
    }

    @Test
    void truncatedDatabaseFile_detected() throws Exception {
        Path db = ledger(dir, "big.db", 300);
        long len = Files.size(db);
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.setLength(len / 2);
        }
        assertTrue(auditOrCorrupt(db).contains(LedgerFindings.DATABASE_CORRUPT));
    }

    @Test
    void garbageWrittenOverDatabasePages_detected() throws Exception {
        Path db = ledger(dir, "big.db", 300);
        long len = Files.size(db);
        byte[] junk = new byte[8192];
        new Random(7).nextBytes(junk);
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.seek(len / 2);
            f.write(junk);
        }
        Set<String> codes = auditOrCorrupt(db);
        assertFalse(codes.isEmpty());
        assertTrue(codes.contains(LedgerFindings.DATABASE_CORRUPT), codes.toString());
    }

    /** Audit codes, or DATABASE_CORRUPT when SQLite refuses the file at open (as the verify command renders it). */
    private static Set<String> auditOrCorrupt(Path db) {
        try {
            return failCodes(audit(db));
        } catch (org.trainproof.ledger.sqlite.LedgerCorruptException e) {
            return failCodes(AuditReport.unreadable(db.toString(), e.getMessage()));
        }
    }

    /**
     * The audit decodes entries in parallel batches (at most 2,048 entries or 32 MB): batch boundaries must
     * not change a result. Tampering in the middle, audited with batches of 1, 2 and 5 entries and of 1 KB,
     * gives the findings (code, entry) of the one-batch audit.
     */
    @Test
    void batchBoundaries_doNotChangeFindings() throws Exception {
        Path db = fresh();
        try (Connection c = attacker(db)) {
            byte[] b = blob(c, "SELECT bytes FROM entries WHERE seq = 5");
            setBlob(c, "UPDATE entries SET bytes = ? WHERE seq = 5",
                    new String(b, StandardCharsets.UTF_8).replace("\"a2\"", "\"x2\"").getBytes(StandardCharsets.UTF_8));
        }
        java.util.function.Function<AuditReport, List<String>> key = r -> r.findings().stream()
                .map(f -> f.code() + "@" + (f.location() == null ? null : f.location().entry())).toList();
        AuditReport whole;
        try (Ledger l = Ledger.openReadOnly(db)) {
            whole = new LedgerAudit(l, new AuditRequest(LedgerFixtures.vkey(), null, null), 4096, Long.MAX_VALUE).run();
        }
        assertFalse(whole.clean());
        for (long[] lim : new long[][] {{1, Long.MAX_VALUE}, {2, Long.MAX_VALUE}, {5, Long.MAX_VALUE}, {4096, 1024}}) {
            try (Ledger l = Ledger.openReadOnly(db)) {
                AuditReport r = new LedgerAudit(l, new AuditRequest(LedgerFixtures.vkey(), null, null), (int) lim[0], lim[1]).run();
                assertEquals(key.apply(whole), key.apply(r), "batch " + lim[0] + " entries / " + lim[1] + " bytes");
                assertEquals(whole.entries(), r.entries());
            }
        }
    }
}
