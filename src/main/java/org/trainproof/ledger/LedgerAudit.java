package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;
import org.trainproof.ledger.sqlite.LedgerCorruptException;
import org.trainproof.ledger.sqlite.SqliteStore;
import org.trainproof.merkle.Hashes;
import org.trainproof.merkle.ProofException;
import org.trainproof.merkle.Proofs;
import org.trainproof.merkle.StoredHashIndex;
import org.trainproof.merkle.TreeBuilder;
import org.trainproof.note.Checkpoint;
import org.trainproof.note.NoteException;
import org.trainproof.note.VerifierKey;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * The integrity audit: in one read transaction and one streaming pass, re-derives every leaf hash,
 * the chain, every stored node hash and the root at every signed checkpoint size, and verifies
 * every checkpoint signature; then checks a saved checkpoint (--since) by an RFC 9162 consistency
 * proof and re-hashes checkpoint files (--artifacts). Memory: O(log n) for the tree, one batch of
 * rows, and the list of checkpoint files.
 *
 * <p>Every stored value is covered: entries.bytes (leaf hash → root → signature), entries.seq /
 * kind / step / leaf_hash (compared with the bytes), nodes.idx / hash (recomputed), checkpoints.note
 * (signature, root recomputed), checkpoints.size (compared with the signed size), meta.origin
 * (compared with the signed origin), meta.vkey (compared with --key; used only without --key).
 * checkpoints.id (must follow size order; head/prove/record pick by size), the schema and meta keys
 * ({@link CheckpointHistory}). Unused by the audit: meta.created_by.
 */
final class LedgerAudit {
    /**
     * Entries decoded in parallel per batch: at most this many, and at most {@link #BATCH_BYTES} of entry
     * bytes (a decoded entry takes several times its bytes; 1,000 checkpoint entries of 300 KB in one batch
     * held 2.8 GB and thrashed a 1 GB heap). 8 MB (was 32): verify of the 1,000-checkpoint benchmark
     * ledger in -Xmx512m kept ~440 MB live with 32 MB batches and spent seconds in GC; 8 MB is still
     * 25+ entries of 300 KB per batch for two cores.
     */
    private static final int BATCH = 2048;
    private static final long BATCH_BYTES = 8L << 20;
    private static final int MAX_PER_CODE = 20;

    private final Ledger ledger;
    private final AuditRequest req;
    private final SqliteStore store;
    private final List<Finding> findings = new ArrayList<>();
    /** Per shard file of folded distributed checkpoints: re-read here or not (--artifacts). */
    private final List<ShardArtifacts.ShardCheck> shardChecks = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Findings beyond the first failure of a distributed checkpoint, added once the artifact workers are done. */
    private final List<Finding> shardFindings = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> perCode = new HashMap<>();
    private final String file;

    private final int batch;
    private final long batchBytes;

    LedgerAudit(Ledger ledger, AuditRequest req) {
        this(ledger, req, BATCH, BATCH_BYTES);
    }

    /** With other batch limits (tests: batch boundaries must not change any result). */
    LedgerAudit(Ledger ledger, AuditRequest req, int batch, long batchBytes) {
        if (batch < 1 || batchBytes < 1) throw new IllegalArgumentException("batch limits must be positive");
        this.batch = batch;
        this.batchBytes = batchBytes;
        this.ledger = ledger;
        this.req = req;
        this.store = ledger.store();
        this.file = ledger.path().toString();
    }

    private void add(Finding f) {
        int n = perCode.merge(f.code(), 1, Integer::sum);
        if (n <= MAX_PER_CODE) findings.add(f);
    }

    private void fail(String code, String msg, Location where) {
        add(Finding.of(code, Severity.FAIL, msg).at(where));
    }

    /** A verified checkpoint: its signed size and root. */
    private record SignedHead(long id, long size, Digest root, String note) {}

    AuditReport run() {
        VerifierKey key = req.key() != null ? req.key() : ledger.storedVerifierKey();
        boolean fromLedger = req.key() == null;
        if (fromLedger) {
            add(Finding.of(LedgerFindings.KEY_FROM_LEDGER, Severity.INFO,
                    "no --key given: signatures checked against the key stored in the ledger ("
                            + key.label() + "); this shows self-consistency, not who signed").at(Location.file(file)));
        } else if (!ledger.storedVerifierKey().equals(key)) {
            fail(LedgerFindings.LEDGER_KEY_MISMATCH, "the ledger names signer " + ledger.storedVerifierKey().label()
                    + ", not the given key " + key.label(), Location.file(file));
        }
        Checkpoint saved = req.savedCheckpoint() == null ? null : openSaved(key);
        long[] counts = new long[2];
        Digest root = null;
        long artifactsHashed = 0;
        List<ArtifactRef> artifacts = new ArrayList<>();
        LogArtifacts logs = new LogArtifacts();
        Digest[] rootAtSaved = new Digest[1];
        store.beginRead();
        try {
            for (String m : store.quickCheck()) {
                fail(LedgerFindings.DATABASE_CORRUPT, "SQLite integrity check: " + m, Location.file(file));
            }
            if (perCode.containsKey(LedgerFindings.DATABASE_CORRUPT)) {
                return report(key, fromLedger, 0, 0, null, saved != null, 0);
            }
            root = scan(key, counts, artifacts, logs, saved, rootAtSaved);
            if (saved != null) checkSince(saved, counts[0], root);
        } catch (LedgerCorruptException e) {
            fail(LedgerFindings.DATABASE_CORRUPT, e.getMessage(), Location.file(file));
            return report(key, fromLedger, counts[0], counts[1], null, saved != null, 0);
        } finally {
            store.rollbackQuietly();
        }
        if (req.artifactsDir() != null) {
            artifactsHashed = checkArtifacts(artifacts);
            artifactsHashed += logs.check(req.artifactsDir(), this::add);
        }
        return report(key, fromLedger, counts[0], counts[1], root, saved != null, artifactsHashed);
    }

    private AuditReport report(VerifierKey key, boolean fromLedger, long entries, long cps, Digest root,
            boolean since, long hashed) {
        for (Map.Entry<String, Integer> e : new ArrayList<>(perCode.entrySet())) {
            if (e.getValue() > MAX_PER_CODE) {
                add(Finding.of(LedgerFindings.FINDINGS_TRUNCATED, Severity.INFO, (e.getValue() - MAX_PER_CODE)
                        + " more " + e.getKey() + " findings not listed").at(Location.file(file)));
            }
        }
        return new AuditReport(file, ledger.origin(), key.toString(), fromLedger, entries, cps,
                root == null ? null : root.toString(), since, req.artifactsDir() != null, hashed, findings, shardChecks);
    }

    private Checkpoint openSaved(VerifierKey key) {
        try {
            Checkpoint c = Checkpoint.open(req.savedCheckpoint(), key, List.of()).checkpoint();
            if (!c.origin().equals(ledger.origin())) {
                throw TrainproofException.badInput("saved checkpoint", "origin '" + c.origin()
                        + "' is not this ledger's origin '" + ledger.origin() + "'");
            }
            return c;
        } catch (NoteException e) {
            throw TrainproofException.badInput("saved checkpoint", "does not verify with key " + key.label() + ": " + e.getMessage());
        }
    }

    /** One decoded row: the row, the decoded entry or the format error, the recomputed leaf hash. */
    private record Decoded(SqliteStore.EntryRow row, LedgerEntry entry, Entries.EntryFormatException error, Digest leaf) {}

    private Digest scan(VerifierKey key, long[] counts, List<ArtifactRef> artifacts, LogArtifacts logs, Checkpoint saved,
            Digest[] rootAtSaved) {
        TreeBuilder tree = new TreeBuilder();
        CheckpointFeed cps = new CheckpointFeed(key);
        SignedHead newest = null;
        long expectedSeq = 0;
        Digest prevLeaf = null;
        boolean ended = false;
        long cpCount = 0;
        LogRangeAudit logRanges = new LogRangeAudit(file, this::add);
        CheckpointHistory history = new CheckpointHistory(ledger.formatVersion(), file, this::add);
        // From the smallest key: a row at seq or idx -1 is a stored row too.
        try (SqliteStore.Cursor<SqliteStore.EntryRow> rows = store.entriesFrom(Long.MIN_VALUE);
                SqliteStore.Cursor<SqliteStore.NodeRow> nodes = store.nodesFrom(Long.MIN_VALUE);
                CheckpointFeed feed = cps) {
            SqliteStore.NodeRow node = nodes.next();
            SignedHead head = feed.next();
            while (head != null && head.size == 0) {
                if (!head.root.equals(Hashes.EMPTY_ROOT)) {
                    fail(LedgerFindings.CHECKPOINT_ROOT_MISMATCH, "size-0 checkpoint without the empty root", Location.file(file));
                }
                newest = head;
                cpCount++;
                head = feed.next();
            }
            List<SqliteStore.EntryRow> rowBatch = new ArrayList<>(Math.min(batch, 4096));
            boolean more = true;
            while (more) {
                rowBatch.clear();
                SqliteStore.EntryRow r = null;
                long bytesInBatch = 0;
                while (rowBatch.size() < batch && bytesInBatch < batchBytes && (r = rows.next()) != null) {
                    rowBatch.add(r);
                    bytesInBatch += r.bytes() == null ? 0 : r.bytes().length;
                }
                more = r != null;
                List<Decoded> decoded = rowBatch.parallelStream().map(LedgerAudit::decode).toList();
                for (Decoded d : decoded) {
                    long pos = tree.size();
                    SqliteStore.EntryRow row = d.row;
                    Location at = Location.file(file).withEntry(row.seq());
                    if (row.seq() != expectedSeq) {
                        fail(LedgerFindings.ENTRY_SEQ_GAP, "expected entry row " + expectedSeq + ", found " + row.seq()
                                + (row.seq() > expectedSeq ? " (rows missing)" : ""), at);
                    }
                    expectedSeq = row.seq() + 1;
                    if (!d.leaf.equalsBytes(row.leafHash())) {
                        add(Finding.of(LedgerFindings.ENTRY_LEAF_HASH_MISMATCH, Severity.FAIL,
                                "SHA-256(0x00 || entry bytes) differs from the leaf hash stored at append").at(at)
                                .withMismatch(row.leafHash() == null ? null : org.trainproof.bytes.Hex.encode(row.leafHash()), d.leaf));
                    }
                    LedgerEntry e = d.entry;
                    if (e == null) {
                        fail(d.error.notCanonical() ? LedgerFindings.ENTRY_NOT_CANONICAL : LedgerFindings.ENTRY_MALFORMED,
                                d.error.getMessage(), at);
                    } else {
                        if (e.seq() != pos) {
                            fail(LedgerFindings.ENTRY_SEQ_MISMATCH, "entry states seq " + e.seq() + " at position " + pos, at);
                        }
                        Digest p = e.prev().orElse(null);
                        if (!Objects.equals(p, prevLeaf)) {
                            add(Finding.of(LedgerFindings.ENTRY_CHAIN_BROKEN, Severity.FAIL,
                                    "prev is not the previous entry's leaf hash").at(at).withMismatch(prevLeaf, p));
                        }
                        if (!e.kind().equals(row.kind()) || !Objects.equals(e.step().orElse(null), row.step())) {
                            fail(LedgerFindings.ENTRY_COLUMN_MISMATCH, "stored kind/step columns (" + row.kind() + "/" + row.step()
                                    + ") differ from the entry (" + e.kind() + "/" + e.step().orElse(null) + ")", at);
                        }
                        if ((pos == 0) != e.kind().equals(EntryKinds.RUN)) {
                            fail(LedgerFindings.GENESIS_INVALID, pos == 0 ? "entry 0 is '" + e.kind() + "', not the genesis 'run'"
                                    : "a 'run' entry after the genesis", at);
                        }
                        SignedHead nh = newest;
                        history.entry(pos, e, nh == null ? -1 : nh.size, nh == null ? null : nh.root, tree::root);
                        if (ended) fail(LedgerFindings.ENTRY_AFTER_END, "entry after the 'end' entry", at);
                        if (e.kind().equals(EntryKinds.END)) ended = true;
                        if (e.kind().equals(EntryKinds.CHECKPOINT) && req.artifactsDir() != null) {
                            JsonNode cp = e.body().get("checkpoint");
                            ObjectNode cpo = cp instanceof ObjectNode o ? o : null;
                            for (CheckpointBodies.FileDigest f : CheckpointBodies.files(cpo)) {
                                artifacts.add(new ArtifactRef(e.seq(), e.step().orElse(null), f, null));
                            }
                            for (CheckpointBodies.NamedManifest m : CheckpointBodies.manifests(cpo)) {
                                artifacts.add(new ArtifactRef(e.seq(), e.step().orElse(null), null, m));
                            }
                        }
                        if (e.kind().equals(EntryKinds.METRICS)) logRanges.add(e.seq(), e.bodyView());
                        if (e.kind().equals(EntryKinds.METRICS) && req.artifactsDir() != null) logs.add(e.seq(), e.body());
                        if (req.entries() != null) req.entries().accept(e);
                    }
                    prevLeaf = d.leaf;
                    List<Digest> expected = tree.append(d.leaf);
                    long idx = StoredHashIndex.index(0, pos);
                    for (Digest h : expected) {
                        while (node != null && node.index() < idx) {
                            fail(LedgerFindings.NODE_EXTRA, "stored node " + node.index() + " is not part of the tree", at);
                            node = nodes.next();
                        }
                        if (node == null || node.index() > idx) {
                            fail(LedgerFindings.NODE_MISSING, "stored node hash " + idx + " is missing", at);
                        } else {
                            if (!h.equalsBytes(node.hash())) {
                                fail(LedgerFindings.NODE_HASH_MISMATCH, "stored node hash " + idx + " differs from the recomputed one", at);
                            }
                            node = nodes.next();
                        }
                        idx++;
                    }
                    long size = tree.size();
                    if (req.progress() != null && size % AuditRequest.PROGRESS_EVERY == 0) req.progress().accept(size);
                    while (head != null && head.size < size) {
                        // Only reachable when a row's size column was altered (rows are read in
                        // column order): reported as CHECKPOINT_SIZE_MISMATCH; its root cannot be
                        // recomputed any more in this pass, so say so and go on.
                        fail(LedgerFindings.CHECKPOINT_SIZE_MISMATCH, "checkpoint row " + head.id + " (signed size " + head.size
                                + ") is stored out of size order; its root was not compared", Location.file(file));
                        head = feed.next();
                    }
                    while (head != null && head.size == size) {
                        Digest root = tree.root();
                        if (!root.equals(head.root)) {
                            add(Finding.of(LedgerFindings.CHECKPOINT_ROOT_MISMATCH, Severity.FAIL,
                                    "signed checkpoint of size " + size + " has another root than the entries give")
                                    .at(Location.file(file).withEntry(size - 1)).withMismatch(head.root, root));
                        }
                        newest = head;
                        cpCount++;
                        head = feed.next();
                    }
                }
            }
            while (node != null) {
                fail(LedgerFindings.NODE_EXTRA, "stored node " + node.index() + " is beyond the tree of " + tree.size() + " entries",
                        Location.file(file));
                node = nodes.next();
            }
            while (head != null) {
                fail(LedgerFindings.CHECKPOINT_BEYOND_LEDGER, "a signed checkpoint covers " + head.size
                        + " entries but the ledger holds " + tree.size() + " (entries removed)", Location.file(file));
                cpCount++;
                head = feed.next();
            }
        }
        if (newest == null) {
            fail(LedgerFindings.NO_VALID_CHECKPOINT, "no checkpoint verifies with key " + key.label(), Location.file(file));
        } else if (newest.size < tree.size()) {
            fail(LedgerFindings.ENTRIES_NOT_SIGNED, (tree.size() - newest.size) + " entries after the newest valid signed checkpoint (size "
                    + newest.size + ") are not covered by any signature", Location.file(file).withEntry(newest.size));
        }
        history.finish(store);
        counts[0] = tree.size();
        counts[1] = cpCount;
        return tree.root();
    }

    private static Decoded decode(SqliteStore.EntryRow row) {
        byte[] bytes = row.bytes() == null ? new byte[0] : row.bytes();
        Digest leaf = Hashes.leaf(bytes);
        try {
            return new Decoded(row, Entries.decode(bytes, leaf), null, leaf);
        } catch (Entries.EntryFormatException e) {
            return new Decoded(row, null, e, leaf);
        }
    }

    /**
     * Signed checkpoints in size order, signatures verified in parallel batches; invalid ones are
     * reported and skipped.
     */
    private final class CheckpointFeed implements AutoCloseable {
        private final VerifierKey key;
        private final SqliteStore.Cursor<SqliteStore.CheckpointRow> rows;
        private final List<SignedHead> ready = new ArrayList<>();
        private int pos;
        private boolean done;

        CheckpointFeed(VerifierKey key) {
            this.key = key;
            this.rows = store.checkpointsBySize();
        }

        SignedHead next() {
            while (pos >= ready.size() && !done) refill();
            return pos < ready.size() ? ready.get(pos++) : null;
        }

        private void refill() {
            ready.clear();
            pos = 0;
            List<SqliteStore.CheckpointRow> batch = new ArrayList<>();
            SqliteStore.CheckpointRow r;
            while (batch.size() < 256 && (r = rows.next()) != null) batch.add(r);
            if (batch.size() < 256) done = true;
            List<Object> checked = batch.parallelStream().map(this::check).toList();
            for (int i = 0; i < batch.size(); i++) {
                Object o = checked.get(i);
                if (o instanceof SignedHead h) {
                    if (h.size != batch.get(i).size()) {
                        fail(LedgerFindings.CHECKPOINT_SIZE_MISMATCH, "checkpoint row " + h.id + " says size " + batch.get(i).size()
                                + " but its signed size is " + h.size, Location.file(file));
                    }
                    ready.add(h);
                } else {
                    add((Finding) o);
                }
            }
            ready.sort((a, b) -> Long.compare(a.size, b.size));
        }

        private Object check(SqliteStore.CheckpointRow row) {
            Location at = Location.file(file);
            try {
                Checkpoint.Signed s = Checkpoint.open(row.note(), key, List.of());
                Checkpoint c = s.checkpoint();
                if (!c.origin().equals(ledger.origin())) {
                    return Finding.of(LedgerFindings.CHECKPOINT_ORIGIN_MISMATCH, Severity.FAIL, "checkpoint row " + row.id()
                            + " names origin '" + c.origin() + "', not '" + ledger.origin() + "'").at(at);
                }
                return new SignedHead(row.id(), c.size(), c.root(), s.noteText());
            } catch (NoteException e) {
                String code = switch (e.kind()) {
                    case INVALID_SIGNATURE -> LedgerFindings.CHECKPOINT_BAD_SIGNATURE;
                    case NO_VERIFIED_SIGNATURE -> LedgerFindings.CHECKPOINT_UNKNOWN_KEY;
                    case MALFORMED -> LedgerFindings.CHECKPOINT_MALFORMED;
                };
                return Finding.of(code, Severity.FAIL, "checkpoint row " + row.id() + " (size " + row.size() + "): " + e.getMessage()).at(at);
            }
        }

        @Override
        public void close() {
            rows.close();
        }
    }

    private void checkSince(Checkpoint saved, long size, Digest root) {
        Location at = Location.file(file);
        if (saved.size() > size) {
            add(Finding.of(LedgerFindings.LEDGER_ROLLED_BACK, Severity.FAIL, "the saved checkpoint covers " + saved.size()
                    + " entries but the ledger now holds " + size).at(at).withMismatch(saved.size(), size));
            return;
        }
        try {
            List<byte[]> proof = new ArrayList<>();
            if (saved.size() > 0 && saved.size() < size) {
                for (Digest d : ledger.consistencyProof(saved.size(), size)) proof.add(d.toByteArray());
            }
            if (saved.size() == 0) {
                if (!saved.root().equals(Hashes.EMPTY_ROOT)) throw new ProofException("size-0 checkpoint with a non-empty root");
                return;
            }
            Proofs.verifyConsistency(saved.size(), size, saved.root().toByteArray(), root.toByteArray(), proof);
        } catch (ProofException | TrainproofException e) {
            // What the ledger holds where the saved checkpoint was taken: the root of its first saved.size() entries
            // (issue 20 item 11: the finding said "found null").
            String found;
            try {
                found = "root " + ledger.root(saved.size()) + " of this ledger's first " + saved.size() + " entries";
            } catch (RuntimeException notComputable) {
                found = "no root of this ledger's first " + saved.size() + " entries could be computed from its stored hashes";
            }
            add(Finding.of(LedgerFindings.LEDGER_FORKED, Severity.FAIL, "the ledger is not an append-only extension of the saved checkpoint (size "
                    + saved.size() + ", root " + saved.root() + "; this ledger holds " + size + " entries): " + e.getMessage())
                    .at(at).withMismatch("root " + saved.root() + " of the saved checkpoint (size " + saved.size() + ")", found));
        }
    }

    /** A file (plain SHA-256) or a safetensors checkpoint (manifest) named by a checkpoint entry. */
    private record ArtifactRef(long seq, Long step, CheckpointBodies.FileDigest file, CheckpointBodies.NamedManifest manifest) {}

    private long checkArtifacts(List<ArtifactRef> refs) {
        Path dir = req.artifactsDir();
        if (!Files.isDirectory(dir)) throw TrainproofException.badInput(dir, "artifacts directory does not exist");
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        long hashed = 0;
        try {
            List<Future<Finding>> results = new ArrayList<>();
            for (ArtifactRef ref : refs) {
                results.add(pool.submit(() -> checkOne(dir, ref)));
            }
            for (Future<Finding> f : results) {
                Finding r = f.get();
                if (r != null) add(r);
                if (r == null || !r.code().equals(LedgerFindings.ARTIFACT_MISSING)) hashed++;
            }
            shardFindings.forEach(this::add);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainproofException(org.trainproof.ExitCode.INTERNAL, "interrupted while hashing artifacts");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TrainproofException te) throw te;
            throw new TrainproofException(org.trainproof.ExitCode.INTERNAL, "artifact hashing failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return hashed;
    }

    private Finding checkOne(Path dir, ArtifactRef ref) {
        if (ref.manifest() != null) return checkManifest(dir, ref);
        CheckpointBodies.FileDigest fd = ref.file();
        Location at = Location.file(fd.name()).withEntry(ref.seq());
        if (ref.step() != null) at = at.withStep(ref.step());
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(fd.name()).normalize();
        if (!p.startsWith(base)) {
            return Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL,
                    "file name '" + fd.name() + "' escapes the artifacts directory; not re-hashed").at(at);
        }
        if (!Files.isRegularFile(p)) {
            return Finding.of(LedgerFindings.ARTIFACT_MISSING, Severity.WARNING, "not found in " + dir + ": not re-hashed").at(at);
        }
        long[] size = new long[1];
        Digest d = CheckpointBodies.sha256(p, size);
        if (size[0] != fd.size()) {
            return Finding.of(LedgerFindings.ARTIFACT_SIZE_MISMATCH, Severity.FAIL, "file has " + size[0] + " bytes, the ledger states "
                    + fd.size()).at(at).withMismatch(fd.size(), size[0]);
        }
        if (!d.equals(fd.sha256())) {
            return Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL, "file's SHA-256 differs from the one the ledger states")
                    .at(at).withMismatch(fd.sha256(), d);
        }
        return null;
    }

    /** Re-reads a safetensors checkpoint and compares per tensor, so a change is localised to one tensor. */
    private Finding checkManifest(Path dir, ArtifactRef ref) {
        CheckpointBodies.NamedManifest nm = ref.manifest();
        Location at = Location.file(nm.name()).withEntry(ref.seq());
        if (ref.step() != null) at = at.withStep(ref.step());
        if (nm.manifest() == null) {
            return Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL,
                    "the entry's manifest of '" + nm.name() + "' is not readable; the file cannot be checked").at(at);
        }
        Path base = dir.toAbsolutePath().normalize();
        if (nm.manifest().folded()) {
            ShardArtifacts.Result r = ShardArtifacts.check(base, nm.name(), nm.manifest(), ref.seq(), ref.step(), req.artifactBytes());
            shardChecks.addAll(r.checks());
            Finding firstFail = r.findings().stream().filter(f -> f.severity() == Severity.FAIL).findFirst().orElse(null);
            r.findings().stream().filter(f -> f != firstFail).forEach(shardFindings::add);
            return firstFail;
        }
        Path p = base.resolve(nm.name()).normalize();
        if (!p.startsWith(base)) {
            return Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL,
                    "checkpoint name '" + nm.name() + "' escapes the artifacts directory; not re-hashed").at(at);
        }
        if (!Files.exists(p)) {
            return Finding.of(LedgerFindings.ARTIFACT_MISSING, Severity.WARNING, "not found in " + dir + ": not re-hashed").at(at);
        }
        org.trainproof.checkpoint.CheckpointManifest now;
        try {
            now = org.trainproof.checkpoint.Manifests.of(p, org.trainproof.checkpoint.ManifestOptions.defaults(), req.artifactBytes());
        } catch (TrainproofException e) {
            return Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL,
                    "no longer a readable checkpoint: " + e.getMessage()).at(at);
        }
        List<CheckpointBodies.Mismatch> diffs = CheckpointBodies.compare(nm.manifest(), now);
        if (diffs.isEmpty()) return null;
        CheckpointBodies.Mismatch first = diffs.get(0);
        if (first.tensor() != null) at = at.withTensor(first.tensor());
        String more = diffs.size() == 1 ? "" : " (and " + (diffs.size() - 1) + " more difference" + (diffs.size() == 2 ? "" : "s") + ")";
        return Finding.of(LedgerFindings.ARTIFACT_DIGEST_MISMATCH, Severity.FAIL, first.what() + more)
                .at(at).withMismatch(first.expected(), first.actual());
    }
}
