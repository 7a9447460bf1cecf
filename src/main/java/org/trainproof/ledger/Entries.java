package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import org.trainproof.bytes.Digest;
import org.trainproof.merkle.Hashes;

/**
 * The entry format: one RFC 8785 JSON object {@code {"body": {...}, "kind": K, "prev": "<hex>",
 * "seq": N, "time": "<RFC 3339 UTC>"}} ({@code prev} absent for seq 0); leaf hash =
 * SHA-256(0x00 || bytes). Format 2 adds {@code "after": {"root": "<hex>", "size": N}} to every entry
 * but the genesis ({@link CheckpointRef}).
 */
public final class Entries {
    private static final Set<String> FIELDS = Set.of("seq", "prev", "kind", "time", "body", "after");

    private Entries() {}

    /** Why stored entry bytes are not a well-formed entry. */
    public static final class EntryFormatException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean canonicalOnly;

        EntryFormatException(String message, boolean canonicalOnly) {
            super(message);
            this.canonicalOnly = canonicalOnly;
        }

        /** True when the bytes parse as an entry but are not in RFC 8785 form. */
        public boolean notCanonical() {
            return canonicalOnly;
        }
    }

    /** Builds and canonicalizes a new entry (throws IllegalArgumentException on NaN/Infinity etc.). */
    static LedgerEntry build(long seq, Digest prev, CheckpointRef after, String kind, Instant time, ObjectNode body) {
        return build(seq, prev, after, kind, time, body.deepCopy(), CanonicalJson.canonicalize(body));
    }

    /**
     * As {@link #build(long, Digest, CheckpointRef, String, Instant, ObjectNode)} for a body already
     * canonicalized to {@code canonicalBody}; the entry keeps {@code body} itself (the caller hands it
     * over and never modifies it). The envelope's other members are a number below 2^53, lowercase hex,
     * a kind of [a-z0-9_] and an ISO instant, none of which RFC 8785 escapes, so its bytes are written
     * directly around the body's, in RFC 8785 member order (after, body, kind, prev, seq, time); an
     * envelope outside that shape goes through {@link CanonicalJson} (EntriesSpliceTest compares both).
     */
    static LedgerEntry build(long seq, Digest prev, CheckpointRef after, String kind, Instant time, ObjectNode body, byte[] canonicalBody) {
        Instant t = time.truncatedTo(ChronoUnit.MILLIS);
        String iso = DateTimeFormatter.ISO_INSTANT.format(t);
        byte[] bytes;
        if (seq >= 0 && seq < MAX_SAFE && (after == null || (after.size() >= 0 && after.size() < MAX_SAFE))
                && plainAscii(kind) && plainAscii(iso)) {
            StringBuilder head = new StringBuilder(160);
            head.append('{');
            if (after != null) head.append("\"after\":{\"root\":\"").append(after.root()).append("\",\"size\":").append(after.size()).append("},");
            head.append("\"body\":");
            StringBuilder tail = new StringBuilder(160);
            tail.append(",\"kind\":\"").append(kind).append('"');
            if (prev != null) tail.append(",\"prev\":\"").append(prev).append('"');
            tail.append(",\"seq\":").append(seq).append(",\"time\":\"").append(iso).append("\"}");
            byte[] h = head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] tl = tail.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            bytes = new byte[h.length + canonicalBody.length + tl.length];
            System.arraycopy(h, 0, bytes, 0, h.length);
            System.arraycopy(canonicalBody, 0, bytes, h.length, canonicalBody.length);
            System.arraycopy(tl, 0, bytes, h.length + canonicalBody.length, tl.length);
        } else {
            bytes = CanonicalJson.canonicalize(envelope(seq, prev, after, kind, iso, body));
        }
        return new LedgerEntry(seq, kind, t, body, prev, after, Hashes.leaf(bytes), bytes);
    }

    private static final long MAX_SAFE = 1L << 53;

    /** True when RFC 8785 writes {@code s} inside quotes unchanged: printable ASCII without '"' and '\\'. */
    private static boolean plainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
        }
        return true;
    }

    /** The entry as a JSON object (what {@link CanonicalJson} canonicalizes); shares {@code body}. */
    static ObjectNode envelope(long seq, Digest prev, CheckpointRef after, String kind, String isoTime, ObjectNode body) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("seq", seq);
        if (prev != null) e.put("prev", prev.toString());
        if (after != null) e.putObject("after").put("root", after.root().toString()).put("size", after.size());
        e.put("kind", kind);
        e.put("time", isoTime);
        e.set("body", body);
        return e;
    }

    /** Decodes stored bytes strictly; checks shape and canonical form, not chain or position. */
    public static LedgerEntry decode(byte[] bytes) throws EntryFormatException {
        return decodeOwned(bytes.clone()); // the entry keeps its bytes: the caller's array stays the caller's
    }

    /** As {@link #decode(byte[])}, taking {@code bytes} over without a copy (fresh arrays from the store). */
    static LedgerEntry decodeOwned(byte[] bytes) throws EntryFormatException {
        return decode(bytes, Hashes.leaf(bytes));
    }

    /**
     * As {@link #decode(byte[])}, with the leaf hash SHA-256(0x00 || bytes) already computed by the
     * caller (the audit hashes every row, decodable or not), and taking {@code bytes} over without a
     * copy: the caller must not modify them afterwards.
     */
    static LedgerEntry decode(byte[] bytes, Digest leaf) throws EntryFormatException {
        // Fast path for the common case, a well-formed canonical entry: parsed without duplicate-key
        // detection and compared with its canonical form without building it as bytes. Anything that
        // fails there is decoded again by the strict path below, which alone decides the error, so
        // what is accepted and how a rejection is reported are unchanged.
        try {
            ObjectNode candidate = CanonicalJson.parseCanonicalCandidate(bytes);
            LedgerEntry e = fields(candidate, bytes, leaf);
            if (CanonicalJson.isCanonicalForm(candidate, bytes, false)) return e;
        } catch (IOException | EntryFormatException | RuntimeException retryStrictly) {
            // decided below
        }
        return decodeStrict(bytes, leaf);
    }

    /** The original decode: strict parse, shape checks, canonical form (or the legacy form) required. */
    static LedgerEntry decodeStrict(byte[] bytes, Digest leaf) throws EntryFormatException {
        ObjectNode o;
        try {
            o = CanonicalJson.parseObject(bytes);
        } catch (IOException e) {
            throw new EntryFormatException("not a JSON object: " + firstLine(e.getMessage()), false);
        }
        LedgerEntry entry = fields(o, bytes, leaf);
        byte[] canon;
        try {
            canon = CanonicalJson.canonicalize(o, bytes.length);
        } catch (IllegalArgumentException e) {
            throw new EntryFormatException("cannot be canonicalized: " + e.getMessage(), false);
        }
        // Entries written before 2026-12-05 may hold one of the powers of two the old number
        // formatter wrote with a digit too many (CanonicalJson.canonicalizeLegacy): not altered.
        if (!Arrays.equals(canon, bytes) && !Arrays.equals(CanonicalJson.canonicalizeLegacy(o, bytes.length), bytes)) {
            throw new EntryFormatException("bytes are not in RFC 8785 canonical form", true);
        }
        return entry;
    }

    /** The shape checks of an entry object and the entry they give (its canonical form not checked). */
    private static LedgerEntry fields(ObjectNode o, byte[] bytes, Digest leaf) throws EntryFormatException {
        Iterator<String> names = o.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!FIELDS.contains(n)) throw new EntryFormatException("unknown field '" + n + "'", false);
        }
        JsonNode seqN = o.get("seq");
        if (seqN == null || !seqN.canConvertToLong() || !seqN.isIntegralNumber() || seqN.longValue() < 0) {
            throw new EntryFormatException("seq is missing or not a non-negative integer", false);
        }
        long seq = seqN.longValue();
        JsonNode kindN = o.get("kind");
        if (kindN == null || !kindN.isTextual() || !EntryDraft.KIND_PATTERN.matcher(kindN.textValue()).matches()) {
            throw new EntryFormatException("kind is missing or invalid", false);
        }
        JsonNode timeN = o.get("time");
        Instant time;
        try {
            if (timeN == null || !timeN.isTextual() || !timeN.textValue().endsWith("Z")) throw new DateTimeParseException("", "", 0);
            time = parseTime(timeN.textValue());
        } catch (DateTimeParseException e) {
            throw new EntryFormatException("time is missing or not an RFC 3339 UTC timestamp", false);
        }
        JsonNode bodyN = o.get("body");
        if (!(bodyN instanceof ObjectNode body)) throw new EntryFormatException("body is missing or not an object", false);
        JsonNode prevN = o.get("prev");
        Digest prev = null;
        if (prevN != null) {
            if (!prevN.isTextual()) throw new EntryFormatException("prev is not a string", false);
            if (!prevN.textValue().isEmpty()) {
                try {
                    prev = Digest.parse(prevN.textValue());
                } catch (IllegalArgumentException e) {
                    throw new EntryFormatException("prev is not 64 lowercase hex characters", false);
                }
            }
        }
        CheckpointRef after = null;
        JsonNode afterN = o.get("after");
        if (afterN != null) {
            JsonNode size = afterN.get("size");
            JsonNode root = afterN.get("root");
            if (!afterN.isObject() || afterN.size() != 2 || size == null || !size.isIntegralNumber() || !size.canConvertToLong()
                    || size.longValue() < 0 || root == null || !root.isTextual()) {
                throw new EntryFormatException("after is not {\"root\": hex, \"size\": non-negative integer}", false);
            }
            try {
                after = new CheckpointRef(size.longValue(), Digest.parse(root.textValue()));
            } catch (IllegalArgumentException e) {
                throw new EntryFormatException("after.root is not 64 lowercase hex characters", false);
            }
        }
        return new LedgerEntry(seq, kindN.textValue(), time, body, prev, after, leaf, bytes, true);
    }

    /**
     * {@link Instant#parse} of a text ending in "Z", with a fast path for what {@code build} writes
     * ({@code yyyy-MM-ddTHH:mm:ss[.SSS]Z}, year 0000-9999, every field in its ordinary range): that
     * form gives the same instant through {@link java.time.LocalDateTime#of}, which rejects an
     * invalid day as Instant.parse does. Every other text (leap second 60, hour 24, other
     * fraction lengths, offsets, signs) goes to Instant.parse itself, so acceptance is unchanged.
     */
    static Instant parseTime(String t) {
        int n = t.length();
        if ((n == 20 || n == 24) && t.charAt(4) == '-' && t.charAt(7) == '-' && t.charAt(10) == 'T' && t.charAt(13) == ':'
                && t.charAt(16) == ':' && (n == 20 || t.charAt(19) == '.')) {
            int year = digits(t, 0, 4);
            int month = digits(t, 5, 2);
            int day = digits(t, 8, 2);
            int hour = digits(t, 11, 2);
            int minute = digits(t, 14, 2);
            int second = digits(t, 17, 2);
            int milli = n == 24 ? digits(t, 20, 3) : 0;
            if ((year | month | day | hour | minute | second | milli) >= 0 && month >= 1 && month <= 12 && day >= 1
                    && hour <= 23 && minute <= 59 && second <= 59) {
                try {
                    return java.time.LocalDateTime.of(year, month, day, hour, minute, second, milli * 1_000_000)
                            .toInstant(java.time.ZoneOffset.UTC);
                } catch (java.time.DateTimeException e) {
                    throw new DateTimeParseException("invalid date", t, 0, e);
                }
            }
        }
        return Instant.parse(t);
    }

    /** The ASCII digits t[from, from+count) as a number, or -1 if any is not 0-9. */
    private static int digits(String t, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The integer "step" of a body, if present. */
    static Optional<Long> stepOf(ObjectNode body) {
        JsonNode s = body.get("step");
        if (s != null && s.isIntegralNumber() && s.canConvertToLong()) return Optional.of(s.longValue());
        return Optional.empty();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
