package org.trainproof.note;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.trainproof.crypto.SignatureException;
import org.trainproof.crypto.SigningKey;

/**
 * C2SP signed notes (golang.org/x/mod/sumdb/note semantics). {@link #open} parses and verifies in
 * one call: it returns only notes with at least one verified signature from a configured key.
 */
public final class SignedNote {
    /** At most this many signature lines (x/mod's limit; C2SP requires accepting at least 16). */
    public static final int MAX_SIGNATURES = 100;
    private static final String SIG_PREFIX = "\u2014 ";

    /** One signature line: key name, key ID, and the base64 blob (key ID || signature). */
    public record Signature(String name, int keyId, String base64) {
        public String label() {
            return name + "+" + String.format("%08x", keyId);
        }
    }

    /** A verified note: its text (ending in a newline) and its verified and ignored signatures. */
    public record Note(String text, List<Signature> verified, List<Signature> unverified) {
        public Note {
            verified = List.copyOf(verified);
            unverified = List.copyOf(unverified);
        }
    }

    private SignedNote() {}

    /** Signs {@code text} (which must end in a newline) and returns the note bytes as a string. */
    public static String sign(String text, SigningKey key) {
        checkText(text);
        byte[] sig = key.sign(text.getBytes(StandardCharsets.UTF_8));
        byte[] blob = ByteBuffer.allocate(4 + sig.length).putInt(key.keyId()).put(sig).array();
        return text + "\n" + SIG_PREFIX + key.name() + " " + Base64.getEncoder().encodeToString(blob) + "\n";
    }

    private static void checkText(String text) {
        if (!text.endsWith("\n")) throw new IllegalArgumentException("note text must end in a newline");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n') throw new IllegalArgumentException("note text contains a control character");
        }
    }

    /** Parses {@code note} and verifies its signatures against {@code known}. */
    public static Note open(byte[] note, Collection<VerifierKey> known) throws NoteException {
        String msg;
        try {
            msg = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(note)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("not valid UTF-8");
        }
        for (int i = 0; i < msg.length(); i++) {
            char c = msg.charAt(i);
            if (c < 0x20 && c != '\n') throw malformed("control character in note");
        }
        int split = msg.lastIndexOf("\n\n");
        if (split < 0) throw malformed("no blank line before the signatures");
        String text = msg.substring(0, split + 1);
        String sigs = msg.substring(split + 2);
        if (sigs.isEmpty() || !sigs.endsWith("\n")) throw malformed("signature block must end in a newline");
        byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
        List<Signature> verified = new ArrayList<>();
        List<Signature> unverified = new ArrayList<>();
        Set<String> seenVerified = new HashSet<>();
        Set<String> seenUnverified = new HashSet<>();
        int numSig = 0;
        int pos = 0;
        while (pos < sigs.length()) {
            int nl = sigs.indexOf('\n', pos);
            String line = sigs.substring(pos, nl);
            pos = nl + 1;
            if (!line.startsWith(SIG_PREFIX)) throw malformed("signature line does not start with '\u2014 '");
            String rest = line.substring(SIG_PREFIX.length());
            int sp = rest.indexOf(' ');
            String name = sp < 0 ? rest : rest.substring(0, sp);
            String b64 = sp < 0 ? "" : rest.substring(sp + 1);
            byte[] blob;
            try {
                if (b64.isEmpty() || b64.length() % 4 != 0) throw new IllegalArgumentException();
                blob = Base64.getDecoder().decode(b64);
                SigningKey.checkName(name);
            } catch (IllegalArgumentException e) {
                throw malformed("bad signature line");
            }
            if (blob.length < 5) throw malformed("signature too short");
            if (++numSig > MAX_SIGNATURES) throw malformed("more than " + MAX_SIGNATURES + " signatures");
            int keyId = ByteBuffer.wrap(blob, 0, 4).getInt();
            byte[] sig = new byte[blob.length - 4];
            System.arraycopy(blob, 4, sig, 0, sig.length);
            Signature s = new Signature(name, keyId, b64);
            VerifierKey v = null;
            for (VerifierKey k : known) {
                if (k.name().equals(name) && k.keyId() == keyId) {
                    v = k;
                    break;
                }
            }
            if (v == null) {
                if (seenUnverified.add(rest)) unverified.add(s);
                continue;
            }
            if (!seenVerified.add(s.label())) continue;
            try {
                v.verify(textBytes, sig);
            } catch (SignatureException e) {
                throw new NoteException(NoteException.Kind.INVALID_SIGNATURE,
                        "signature by " + s.label() + " does not verify");
            }
            verified.add(s);
        }
        if (verified.isEmpty()) {
            throw new NoteException(NoteException.Kind.NO_VERIFIED_SIGNATURE, "no signature from a known key");
        }
        return new Note(text, verified, unverified);
    }

    private static NoteException malformed(String what) {
        return new NoteException(NoteException.Kind.MALFORMED, "malformed note: " + what);
    }
}
