package org.trainproof.ledger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;
import org.trainproof.bytes.Digest;

/**
 * One entry as read from (or written to) the ledger: the decoded fields, the exact canonical
 * bytes that were hashed, and the leaf hash SHA-256(0x00 || bytes). Immutable.
 */
public final class LedgerEntry {
    private final long seq;
    private final String kind;
    private final Instant time;
    private final ObjectNode body;
    private final Digest prev;
    private final CheckpointRef after;
    private final Digest leafHash;
    private final byte[] canonicalBytes;

    LedgerEntry(long seq, String kind, Instant time, ObjectNode body, Digest prev, CheckpointRef after, Digest leafHash,
            byte[] canonicalBytes) {
        this(seq, kind, time, body, prev, after, leafHash, canonicalBytes.clone(), true);
    }

    /** Takes {@code canonicalBytes} without a copy: the caller hands them over and keeps no reference it writes to. */
    LedgerEntry(long seq, String kind, Instant time, ObjectNode body, Digest prev, CheckpointRef after, Digest leafHash,
            byte[] canonicalBytes, boolean owned) {
        this.seq = seq;
        this.kind = kind;
        this.time = time;
        this.body = body;
        this.prev = prev;
        this.after = after;
        this.leafHash = leafHash;
        this.canonicalBytes = canonicalBytes;
    }

    public long seq() {
        return seq;
    }

    public String kind() {
        return kind;
    }

    public Instant time() {
        return time;
    }

    /** A copy of the kind's body. */
    public ObjectNode body() {
        return body.deepCopy();
    }

    /** The body itself, for reading within this package (no copy; never modify it). */
    ObjectNode bodyView() {
        return body;
    }

    /** The previous entry's leaf hash; empty for seq 0. */
    public Optional<Digest> prev() {
        return Optional.ofNullable(prev);
    }

    /** Format 2: the signed checkpoint that was newest when this entry's transaction began; empty for seq 0 and format 1. */
    public Optional<CheckpointRef> after() {
        return Optional.ofNullable(after);
    }

    public Digest leafHash() {
        return leafHash;
    }

    /** The RFC 8785 bytes of the whole entry object, exactly as hashed into the tree. */
    public byte[] canonicalBytes() {
        return canonicalBytes.clone();
    }

    /** The body's "step", if it holds an integer step. */
    public Optional<Long> step() {
        return Entries.stepOf(body);
    }

    @Override
    public String toString() {
        return "LedgerEntry[" + seq + " " + kind + " " + time + " " + leafHash + "]";
    }
}
