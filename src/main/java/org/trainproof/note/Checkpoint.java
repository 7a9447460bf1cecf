package org.trainproof.note;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.trainproof.bytes.Digest;
import org.trainproof.crypto.SigningKey;

/**
 * A C2SP tlog-checkpoint body: origin, tree size, SHA-256 root, optional extension lines. Outside
 * this package checkpoints come only from {@link #open}, which verifies the log's signature first.
 */
public record Checkpoint(String origin, long size, Digest root, List<String> extensions) {
    public Checkpoint {
        extensions = List.copyOf(extensions);
    }

    /** The body text, ending in a newline. */
    public String body() {
        StringBuilder sb = new StringBuilder();
        sb.append(origin).append('\n').append(size).append('\n')
                .append(Base64.getEncoder().encodeToString(root.toByteArray())).append('\n');
        for (String e : extensions) sb.append(e).append('\n');
        return sb.toString();
    }

    /** Signs a checkpoint with the log key; returns the note text. */
    public static String sign(String origin, long size, Digest root, SigningKey key) {
        return SignedNote.sign(new Checkpoint(origin, size, root, List.of()).body(), key);
    }

    /** A signed checkpoint that verified: the checkpoint, the note bytes, and the note. */
    public record Signed(Checkpoint checkpoint, String noteText, SignedNote.Note note) {}

    /**
     * Parses and verifies a signed checkpoint: the note must carry a valid signature by
     * {@code logKey} (other known keys, e.g. witnesses, are verified too if given).
     */
    public static Signed open(byte[] note, VerifierKey logKey, List<VerifierKey> others) throws NoteException {
        List<VerifierKey> keys = new ArrayList<>();
        keys.add(logKey);
        keys.addAll(others);
        SignedNote.Note n = SignedNote.open(note, keys);
        boolean byLog = n.verified().stream()
                .anyMatch(s -> s.name().equals(logKey.name()) && s.keyId() == logKey.keyId());
        if (!byLog) throw new NoteException(NoteException.Kind.NO_VERIFIED_SIGNATURE, "not signed by the log key " + logKey.label());
        return new Signed(parseBody(n.text()), new String(note, StandardCharsets.UTF_8), n);
    }

    /**
     * Parses a checkpoint body, strictly: 32-byte root, decimal size without leading zeros. Not
     * public: callers outside this package get checkpoints only through {@link #open}, verified.
     */
    static Checkpoint parseBody(String text) throws NoteException {
        if (!text.endsWith("\n")) throw bad("body must end in a newline");
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 3) throw bad("fewer than three lines");
        String origin = lines[0];
        if (origin.isEmpty()) throw bad("empty origin");
        String sz = lines[1];
        if (!sz.matches("0|[1-9][0-9]{0,18}")) throw bad("size is not a decimal without leading zeros");
        long size;
        try {
            size = Long.parseLong(sz);
        } catch (NumberFormatException e) {
            throw bad("size overflows");
        }
        byte[] root;
        try {
            if (lines[2].length() % 4 != 0) throw new IllegalArgumentException();
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw bad("root is not base64");
        }
        if (root.length != Digest.LENGTH) throw bad("root is not 32 bytes");
        Digest r = Digest.of(root);
        List<String> ext = new ArrayList<>();
        for (int i = 3; i < lines.length; i++) {
            if (lines[i].isEmpty()) throw bad("empty extension line");
            ext.add(lines[i]);
        }
        if (size == 0 && !r.equals(Digest.sha256(new byte[0]))) throw bad("size-0 checkpoint must carry SHA-256(\"\")");
        return new Checkpoint(origin, size, r, ext);
    }

    private static NoteException bad(String what) {
        return new NoteException(NoteException.Kind.MALFORMED, "malformed checkpoint: " + what);
    }
}
