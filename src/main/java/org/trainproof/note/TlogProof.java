package org.trainproof.note;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.trainproof.bytes.Digest;
import org.trainproof.merkle.ProofException;
import org.trainproof.merkle.Proofs;

/**
 * C2SP tlog-proof ({@code c2sp.org/tlog-proof@v1}): optional {@code extra} (trainproof puts the
 * entry's canonical bytes there), the leaf index, the inclusion proof hashes, a blank line, and the
 * signed checkpoint verbatim.
 */
public final class TlogProof {
    public static final String HEADER = "c2sp.org/tlog-proof@v1";
    /** Proof files larger than this are rejected before parsing. */
    public static final int MAX_BYTES = 16 * 1024 * 1024;

    private final byte[] extra;
    private final long index;
    private final List<Digest> proof;
    private final String checkpointNote;

    public TlogProof(byte[] extra, long index, List<Digest> proof, String checkpointNote) {
        if (index < 0) throw new IllegalArgumentException("negative index");
        this.extra = extra == null ? null : extra.clone();
        this.index = index;
        this.proof = List.copyOf(proof);
        this.checkpointNote = checkpointNote;
    }

    public byte[] extra() {
        return extra == null ? null : extra.clone();
    }

    public long index() {
        return index;
    }

    public List<Digest> proof() {
        return proof;
    }

    /** The signed checkpoint note, as carried (not verified here). */
    public String checkpointNote() {
        return checkpointNote;
    }

    public String format() {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        if (extra != null) sb.append("extra ").append(Base64.getEncoder().encodeToString(extra)).append('\n');
        sb.append("index ").append(index).append('\n');
        for (Digest d : proof) sb.append(Base64.getEncoder().encodeToString(d.toByteArray())).append('\n');
        sb.append('\n').append(checkpointNote);
        return sb.toString();
    }

    /** Parses the shape of a proof (nothing is verified yet). */
    public static TlogProof parse(String text) throws NoteException {
        if (text.length() > MAX_BYTES) throw bad("too large");
        int blank = text.indexOf("\n\n");
        if (blank < 0) throw bad("no blank line before the checkpoint");
        String head = text.substring(0, blank + 1);
        String cp = text.substring(blank + 2);
        String[] lines = head.substring(0, head.length() - 1).split("\n", -1);
        int i = 0;
        if (!lines[i++].equals(HEADER)) throw bad("first line is not " + HEADER);
        byte[] extra = null;
        if (i < lines.length && lines[i].startsWith("extra ")) {
            extra = b64(lines[i++].substring(6), "extra");
        }
        if (i >= lines.length || !lines[i].startsWith("index ")) throw bad("missing index line");
        String idx = lines[i++].substring(6);
        if (!idx.matches("0|[1-9][0-9]{0,18}")) throw bad("index is not a decimal without leading zeros");
        long index;
        try {
            index = Long.parseLong(idx);
        } catch (NumberFormatException e) {
            throw bad("index overflows");
        }
        List<Digest> proof = new ArrayList<>();
        for (; i < lines.length; i++) {
            byte[] h = b64(lines[i], "proof hash");
            if (h.length != Digest.LENGTH) throw bad("proof hash " + proof.size() + " is not 32 bytes");
            proof.add(Digest.of(h));
        }
        if (proof.size() > 63) throw bad("more than 63 proof hashes");
        return new TlogProof(extra, index, proof, cp);
    }

    /**
     * Verifies the checkpoint signature by {@code logKey} and that {@code leafHash} (which the caller
     * computed from the entry bytes, never taken from the proof) is at {@link #index()} under its root.
     */
    public Checkpoint.Signed verify(Digest leafHash, VerifierKey logKey) throws NoteException, ProofException {
        Checkpoint.Signed cp = Checkpoint.open(checkpointNote.getBytes(StandardCharsets.UTF_8), logKey, List.of());
        List<byte[]> p = new ArrayList<>();
        for (Digest d : proof) p.add(d.toByteArray());
        Proofs.verifyInclusion(index, cp.checkpoint().size(), leafHash.toByteArray(), p,
                cp.checkpoint().root().toByteArray());
        return cp;
    }

    private static byte[] b64(String s, String what) throws NoteException {
        try {
            if (s.isEmpty() || s.length() % 4 != 0) throw new IllegalArgumentException();
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw bad(what + " is not base64");
        }
    }

    private static NoteException bad(String what) {
        return new NoteException(NoteException.Kind.MALFORMED, "malformed tlog-proof: " + what);
    }
}
