package org.trainproof.ledger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;
import org.trainproof.crypto.SigningKey;
import org.trainproof.ledger.sqlite.SqliteStore;
import org.trainproof.ledger.sqlite.TrustedTimeStore;
import org.trainproof.merkle.HashReader;
import org.trainproof.merkle.StoredHashIndex;
import org.trainproof.merkle.Tree;
import org.trainproof.note.Checkpoint;
import org.trainproof.note.NoteException;
import org.trainproof.note.TlogProof;
import org.trainproof.note.VerifierKey;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.trainlog.MetricsChunk;

/**
 * A signed, Merkle-chained ledger in one SQLite file. {@link #append} writes entries, their stored
 * node hashes and one new signed checkpoint in one transaction; every read of the tree touches
 * O(log n) stored hashes. Not thread-safe; one instance per thread.
 */
public final class Ledger implements AutoCloseable {
    static final String META_ORIGIN = "origin";
    static final String META_VKEY = "vkey";
    static final String META_CREATED_BY = "created_by";

    private final SqliteStore store;
    private final SigningKey key; // null when read-only
    private final String origin;
    private final VerifierKey ledgerKey;
    private Clock clock = Clock.systemUTC();
    private final List<CheckpointListener> checkpointListeners = new ArrayList<>();

    private Ledger(SqliteStore store, SigningKey key) {
        this.store = store;
        this.key = key;
        this.origin = store.meta(META_ORIGIN).orElseThrow(
                () -> TrainproofException.integrity(store.path(), "ledger has no origin in its meta table"));
        String vk = store.meta(META_VKEY).orElseThrow(
                () -> TrainproofException.integrity(store.path(), "ledger has no verifier key in its meta table"));
        VerifierKey parsed;
        try {
            parsed = VerifierKey.parse(vk);
        } catch (IllegalArgumentException e) {
            throw TrainproofException.integrity(store.path(), "stored verifier key is invalid: " + e.getMessage());
        }
        this.ledgerKey = parsed;
    }

    /** Creates a ledger: genesis entry ({@code run} with {@code runConfig}) and the first signed checkpoint. */
    public static Ledger init(Path db, SigningKey key, String origin, ObjectNode runConfig) {
        checkOrigin(origin);
        ObjectNode config = runConfig == null ? JsonNodeFactory.instance.objectNode() : runConfig;
        try {
            CanonicalJson.canonicalize(config);
        } catch (IllegalArgumentException e) {
            throw TrainproofException.badInput("run config", e.getMessage());
        }
        SqliteStore store = SqliteStore.create(db);
        boolean done = false;
        try {
            store.beginWrite();
            store.putMeta(META_ORIGIN, origin);
            store.putMeta(META_VKEY, key.verifierKey());
            store.putMeta(META_CREATED_BY, "trainproof 0.1.0");
            store.commit();
            TrustedTimeStore.ensureSchema(store);
            Ledger l = new Ledger(store, key);
            l.appendInternal(List.of(new EntryDraft(EntryKinds.RUN, config)), true, size -> { });
            done = true;
            return l;
        } finally {
            if (!done) {
                // init created the file; a failed init must not leave a half-made ledger behind.
                store.rollbackQuietly();
                store.close();
                SqliteStore.deleteCreated(db);
            }
        }
    }

    /** Opens an existing ledger for appending with the run's key (must be the key it was created with). */
    public static Ledger openForAppend(Path db, SigningKey key) {
        SqliteStore store = SqliteStore.open(db, false);
        try {
            Ledger l = new Ledger(store, key);
            TrustedTimeStore.ensureSchema(store);
            if (!l.ledgerKey.toString().equals(key.verifierKey())) {
                throw TrainproofException.badInput(db, "the key " + key.name() + "+" + String.format("%08x", key.keyId()) + " is not this ledger's key ("
                        + l.ledgerKey.label() + ")");
            }
            return l;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Opens an existing ledger read-only (verify, prove, log, head). */
    public static Ledger openReadOnly(Path db) {
        SqliteStore store = SqliteStore.open(db, true);
        try {
            return new Ledger(store, null);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static void checkOrigin(String origin) {
        if (origin == null || origin.isEmpty() || origin.contains("\n") || origin.contains("+") || origin.contains(" ")
                || origin.chars().anyMatch(c -> c < 0x20)) {
            throw TrainproofException.usage("origin must be a non-empty line without spaces or '+' (e.g. example.com/runs/42)");
        }
    }

    /** For tests: the clock that stamps entry times. */
    void setClock(Clock c) {
        this.clock = c;
    }

    public Path path() {
        return store.path();
    }

    /** The ledger's format version: 2 (entries commit to the previous checkpoint) or 1 (older files). */
    public int formatVersion() {
        return store.formatVersion();
    }

    public String origin() {
        return origin;
    }

    /** The verifier key stored in the ledger at init (trust it only if it matches a key you hold). */
    public VerifierKey storedVerifierKey() {
        return ledgerKey;
    }

    SqliteStore store() {
        return store;
    }

    /** Called inside an append's transaction, after its signed checkpoint row is written. */
    public interface CheckpointListener {
        /** Rows written to {@code store} commit with the entries; must not throw for a failed network call. */
        void written(TrustedTimeStore store, long checkpointId, byte[] note);
    }

    /** Registers a listener for every new signed checkpoint (trusted timestamps; see org.trainproof.trusted). */
    public void onNewCheckpoint(CheckpointListener listener) {
        checkpointListeners.add(listener);
    }

    /** The trusted-time tables (timestamp tokens, cosignatures) on this ledger's connection. */
    public TrustedTimeStore trustedTime() {
        return new TrustedTimeStore(store);
    }

    /**
     * Appends {@code drafts} in one transaction with one new signed checkpoint; returns the new
     * entries. Refuses (exit 1) if the stored tree does not match the latest signed checkpoint,
     * and (exit 3) if the ledger is busy or ended, or a body is not canonicalizable (NaN, Infinity).
     */
    public List<LedgerEntry> append(List<EntryDraft> drafts) {
        return append(drafts, size -> { });
    }

    /**
     * As {@link #append(List)}, with {@code guard} called inside the write transaction (holding the
     * write lock) with the ledger's size before the append; it may read the ledger and throw to
     * append nothing (a compare-and-swap for callers whose drafts depend on what the ledger holds).
     */
    public List<LedgerEntry> append(List<EntryDraft> drafts, java.util.function.LongConsumer guard) {
        if (key == null) throw new IllegalStateException("ledger opened read-only");
        if (drafts.isEmpty()) throw new IllegalArgumentException("nothing to append");
        for (EntryDraft d : drafts) {
            if (d.kind().equals(EntryKinds.RUN)) throw TrainproofException.badInput(path(), "a 'run' entry exists only at seq 0");
        }
        return appendInternal(drafts, false, guard);
    }

    /**
     * The signed note of this Ledger's last committed append and what it says; the next append's
     * compare-and-swap skips the signature check and the read of the last entry when the stored latest
     * note is these very bytes (the size and the root against the stored tree are still checked).
     */
    private byte[] ownNote;
    private Checkpoint ownCheckpoint;
    private LedgerEntry ownLast;

    private List<LedgerEntry> appendInternal(List<EntryDraft> drafts, boolean genesis, java.util.function.LongConsumer guard) {
        // Canonicalize the bodies before taking the lock: a bad body fails fast and writes nothing. The
        // bytes are kept and spliced into each entry's envelope (Entries.build), so no body is copied
        // or canonicalized twice.
        byte[][] canonicalBodies = new byte[drafts.size()][];
        int di = 0;
        for (EntryDraft d : drafts) {
            try {
                canonicalBodies[di++] = CanonicalJson.canonicalize(d.bodyView());
            } catch (IllegalArgumentException ex) {
                throw TrainproofException.badInput("'" + d.kind() + "' entry body", ex.getMessage());
            }
        }
        store.beginWrite();
        boolean committed = false;
        try {
            // max(seq) + 1 is an O(log n) read; a gap below it is the audit's business, and the
            // signed checkpoint below must cover exactly this many entries.
            long size = store.maxSeq() + 1;
            Optional<SqliteStore.CheckpointRow> latest = store.latestCheckpoint();
            Digest prev = null;
            CheckpointRef after = null;
            if (genesis) {
                if (size != 0 || latest.isPresent()) throw TrainproofException.integrity(path(), "genesis on a non-empty ledger");
            } else {
                // Compare-and-swap on the latest signed checkpoint: it must cover exactly the stored
                // entries and its root must match the stored tree, or we refuse to extend it.
                SqliteStore.CheckpointRow cp = latest.orElseThrow(
                        () -> TrainproofException.integrity(path(), "ledger has entries but no signed checkpoint"));
                Checkpoint c;
                if (ownNote != null && java.util.Arrays.equals(ownNote, cp.note())) {
                    // Byte for byte the note this Ledger signed at its last append: its signature is ours
                    // (issue 19: the Ed25519 verify was the largest per-commit cost of group commit).
                    c = ownCheckpoint;
                } else {
                    try {
                        c = Checkpoint.open(cp.note(), ledgerKey, List.of()).checkpoint();
                    } catch (NoteException e) {
                        throw TrainproofException.integrity(path(), "latest checkpoint does not verify: " + e.getMessage());
                    }
                }
                if (c.size() != size || cp.size() != size) {
                    throw TrainproofException.integrity(path(), "latest signed checkpoint covers " + c.size()
                            + " entries but the ledger holds " + size + "; run 'trainproof verify'");
                }
                if (!Tree.root(size, store::readNodes).equals(c.root())) {
                    throw TrainproofException.integrity(path(), "stored tree does not match the latest signed checkpoint; run 'trainproof verify'");
                }
                // The last entry: the one this Ledger appended under that very note, else read and decoded.
                LedgerEntry last = c == ownCheckpoint && ownLast != null && ownLast.seq() == size - 1 ? ownLast : readEntry(size - 1);
                if (last.kind().equals(EntryKinds.END)) throw TrainproofException.badInput(path(), "the run has ended (entry "
                        + last.seq() + " is 'end'); nothing can be appended");
                prev = last.leafHash();
                if (store.formatVersion() >= 2) after = new CheckpointRef(c.size(), c.root());
            }
            guard.accept(size);
            List<LedgerEntry> out = new ArrayList<>();
            CachingReader reader = new CachingReader(store::readNodes);
            long seq = size;
            di = 0;
            for (EntryDraft d : drafts) {
                LedgerEntry e;
                try {
                    e = Entries.build(seq, prev, after, d.kind(), Instant.now(clock), d.bodyView(), canonicalBodies[di++]);
                } catch (IllegalArgumentException ex) {
                    throw TrainproofException.badInput("entry " + seq + " (" + d.kind() + ")", ex.getMessage());
                }
                store.insertEntry(seq, e.kind(), e.step().orElse(null), e.leafHash(), e.canonicalBytes());
                List<Digest> hashes = Tree.storedHashesFor(seq, e.leafHash(), reader);
                long first = StoredHashIndex.index(0, seq);
                store.insertNodes(first, hashes);
                for (int i = 0; i < hashes.size(); i++) reader.put(first + i, hashes.get(i));
                out.add(e);
                prev = e.leafHash();
                seq++;
            }
            Digest root = Tree.root(seq, reader);
            String note = Checkpoint.sign(origin, seq, root, key);
            store.insertCheckpoint(seq, note.getBytes(StandardCharsets.UTF_8));
            for (CheckpointListener cl : checkpointListeners) {
                cl.written(trustedTime(), store.latestCheckpoint().orElseThrow().id(), note.getBytes(StandardCharsets.UTF_8));
            }
            store.commit();
            committed = true;
            ownNote = note.getBytes(StandardCharsets.UTF_8);
            ownCheckpoint = new Checkpoint(origin, seq, root, List.of());
            ownLast = out.isEmpty() ? null : out.get(out.size() - 1);
            return out;
        } finally {
            if (!committed) store.rollbackQuietly();
        }
    }

    /** Reads stored hashes, preferring those written in this transaction. */
    private static final class CachingReader implements HashReader {
        private final HashReader base;
        private final Map<Long, Digest> cache = new HashMap<>();

        CachingReader(HashReader base) {
            this.base = base;
        }

        void put(long i, Digest d) {
            cache.put(i, d);
        }

        @Override
        public Digest[] read(long[] indexes) {
            Digest[] out = new Digest[indexes.length];
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < indexes.length; i++) {
                out[i] = cache.get(indexes[i]);
                if (out[i] == null) missing.add(i);
            }
            if (!missing.isEmpty()) {
                long[] m = new long[missing.size()];
                for (int i = 0; i < m.length; i++) m[i] = indexes[missing.get(i)];
                Digest[] got = base.read(m);
                for (int i = 0; i < m.length; i++) out[missing.get(i)] = got[i];
            }
            return out;
        }
    }

    // ---- reading

    /** Number of entries: max(seq) + 1 (O(log n); the audit checks there are no gaps). */
    public long size() {
        return store.maxSeq() + 1;
    }

    /** The latest signed checkpoint note, byte-exact as stored (verified against the stored key). */
    public String latestCheckpointNote() {
        SqliteStore.CheckpointRow cp = store.latestCheckpoint().orElseThrow(
                () -> TrainproofException.integrity(path(), "ledger has no signed checkpoint"));
        try {
            Checkpoint.open(cp.note(), ledgerKey, List.of());
        } catch (NoteException e) {
            throw TrainproofException.integrity(path(), "latest checkpoint does not verify with the ledger's key: " + e.getMessage());
        }
        return new String(cp.note(), StandardCharsets.UTF_8);
    }

    /** Where a metrics entry's records came from: its source, format, byte range and their SHA-256. */
    public record MetricsSpan(long seq, String source, LogFormat format, long start, long end, Digest sha256) {}

    /**
     * The metrics entries with seq below {@code toSeq}, in seq order, reading only each one's source,
     * format, byte range and digest: a streaming parse that skips the records, with no leaf hash and no
     * canonical-form check (that is the audit's work; the recorder only needs where each log was left
     * off). An entry whose fields the streaming parse cannot read is decoded strictly and parsed in
     * full, so a malformed one fails exactly as in {@link #forEachEntry}.
     */
    public void forEachMetricsSpan(long toSeq, Consumer<MetricsSpan> sink) {
        try (SqliteStore.Cursor<SqliteStore.EntryRow> c = store.entryBytesOfKind(EntryKinds.METRICS, 0, toSeq)) {
            SqliteStore.EntryRow r;
            while ((r = c.next()) != null) {
                MetricsSpan m = MetricsSpans.read(r.seq(), r.bytes());
                if (m == null) {
                    MetricsChunk ch = LedgerMetrics.parseChunk(this, decode(r));
                    m = new MetricsSpan(r.seq(), ch.source(), ch.format(), ch.start(), ch.end(), ch.sha256());
                }
                sink.accept(m);
            }
        }
    }

    /** Reads and decodes one entry (exit 1 if its bytes are malformed). */
    public LedgerEntry readEntry(long seq) {
        SqliteStore.EntryRow r = store.entry(seq).orElseThrow(
                () -> TrainproofException.badInput(path(), "no entry " + seq + " (ledger has " + size() + ")"));
        return decode(r);
    }

    /** Decodes a stored row strictly; malformed bytes are an integrity error naming the entry (exit 1). */
    private LedgerEntry decode(SqliteStore.EntryRow r) {
        try {
            return Entries.decodeOwned(r.bytes());
        } catch (Entries.EntryFormatException e) {
            throw TrainproofException.integrity(path() + " entry " + r.seq(), e.getMessage());
        }
    }

    /** Streams every entry in seq order to {@code sink} (decoded strictly; exit 1 on a malformed one). */
    public void forEachEntry(Consumer<LedgerEntry> sink) {
        forEachEntry(0, sink);
    }

    /** Streams entries with seq >= {@code fromSeq} in seq order (decoded strictly; exit 1 on a malformed one). */
    public void forEachEntry(long fromSeq, Consumer<LedgerEntry> sink) {
        try (SqliteStore.Cursor<SqliteStore.EntryRow> c = store.entriesFrom(fromSeq)) {
            SqliteStore.EntryRow r;
            while ((r = c.next()) != null) sink.accept(decode(r));
        }
    }

    /** All entries in memory; for small ledgers and tests. Use {@link #forEachEntry} otherwise. */
    public List<LedgerEntry> entries() {
        List<LedgerEntry> out = new ArrayList<>();
        forEachEntry(out::add);
        return out;
    }

    /** The step of the ledger's last recorded checkpoint entry, if it has any. */
    public Optional<Long> lastCheckpointStep() {
        // the last recorded one, not the largest: after a resume claim the abandoned attempt's later
        // steps are behind the run (a resumed run from 10 that records 15 then 20 after an attempt
        // that reached 20 must be able to record its 20)
        return store.lastStep(EntryKinds.CHECKPOINT);
    }

    /** The seq of the (last) checkpoint entry for training step {@code step}. */
    public Optional<Long> checkpointEntryForStep(long step) {
        return store.seqOfStep(EntryKinds.CHECKPOINT, step);
    }

    /**
     * An offline proof for entry {@code index} against the latest signed checkpoint: a C2SP
     * tlog-proof whose {@code extra} line carries the entry's canonical bytes.
     */
    public TlogProof prove(long index) {
        store.beginRead();
        try {
            String note = latestCheckpointNote();
            Checkpoint cp;
            try {
                cp = Checkpoint.open(note.getBytes(StandardCharsets.UTF_8), ledgerKey, List.of()).checkpoint();
            } catch (NoteException e) {
                throw TrainproofException.integrity(path(), e.getMessage());
            }
            if (index < 0 || index >= cp.size()) {
                throw TrainproofException.badInput(path(), "no entry " + index + " under the latest checkpoint (size " + cp.size() + ")");
            }
            if (!Tree.root(cp.size(), store::readNodes).equals(cp.root())) {
                throw TrainproofException.integrity(path(), "stored tree does not match the latest signed checkpoint; run 'trainproof verify'");
            }
            LedgerEntry e = readEntry(index);
            List<Digest> proof = Tree.inclusionProof(index, cp.size(), store::readNodes);
            return new TlogProof(e.canonicalBytes(), index, proof, note);
        } finally {
            store.rollbackQuietly();
        }
    }

    /** RFC 9162 consistency proof between two sizes of this ledger's stored tree. */
    public List<Digest> consistencyProof(long size1, long size2) {
        return Tree.consistencyProof(size1, size2, store::readNodes);
    }

    /** The stored tree's root at {@code size} (from stored hashes). */
    public Digest root(long size) {
        return Tree.root(size, store::readNodes);
    }

    /** Runs the full integrity audit; see {@link LedgerAudit}. */
    public AuditReport audit(AuditRequest request) {
        return new LedgerAudit(this, request).run();
    }

    @Override
    public void close() {
        store.close();
    }
}
