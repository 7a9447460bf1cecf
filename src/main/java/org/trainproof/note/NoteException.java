package org.trainproof.note;

/** A signed note (or checkpoint, or proof file) was rejected; {@link #kind()} says why. */
public final class NoteException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a note was rejected (C2SP signed-note / golang.org/x/mod/sumdb/note semantics). */
    public enum Kind {
        /** Not a well-formed note, checkpoint or proof. */
        MALFORMED,
        /** A configured key's signature failed to verify. */
        INVALID_SIGNATURE,
        /** No signature from any configured key. */
        NO_VERIFIED_SIGNATURE
    }

    private final Kind kind;

    public NoteException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
