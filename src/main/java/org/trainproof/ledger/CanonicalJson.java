package org.trainproof.ledger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): object members sorted by UTF-16 code units, no
 * whitespace, strings with the minimal escapes of ECMAScript JSON.stringify, numbers as ECMAScript
 * Number.prototype.toString of the IEEE 754 double (RFC 8785 §3.2.2.3). NaN and Infinity are not
 * JSON and are rejected; integers beyond ±2^53 are rejected because a double cannot hold them.
 */
public final class CanonicalJson {
    /** The reader limits: nesting depth 200, numbers of 400 characters, strings of 64 MiB. */
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(200)
            .maxNumberLength(400)
            .maxStringLength(64 * 1024 * 1024)
            .build();

    /**
     * Strict reader for anything signed or parsed back: duplicate keys, NaN/Infinity and (in {@link
     * #readTree}) trailing tokens rejected. FastDoubleParser (bundled in jackson-core): correctly rounded
     * like Double.parseDouble, a fraction of its cost (it was 20% of an entry decode); FastDoubleParseTest
     * compares them. A parser factory, not an ObjectMapper: building a mapper took 37–40 ms of a fresh
     * JVM's {@code record} (≈ 0.4 s; docs/performance.md "Startup"), and {@link #readTree} builds the
     * same trees (TreeReaderParityTest compares them with the mapper's on random and malformed documents).
     */
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .streamReadConstraints(LIMITS)
            .build();

    /**
     * As {@link #STRICT} but without duplicate-key detection (a hash set per object), for {@link
     * #parseCanonicalCandidate} only: a document that this reader accepts and whose canonical form is its
     * own bytes has no duplicate keys (the canonical form writes each key once).
     */
    private static final JsonFactory CANONICAL_CANDIDATE = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .streamReadConstraints(LIMITS)
            .build();

    /** The nodes {@link #readTree} builds: those an ObjectMapper's default node factory builds. */
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final long MAX_SAFE = 1L << 53;

    private CanonicalJson() {}

    /** An error in the value to canonicalize; the message names the JSON path and the rule. */
    public static final class CanonicalizationException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        CanonicalizationException(String message) {
            super(message);
        }
    }

    /** The RFC 8785 bytes (UTF-8) of {@code node}. */
    public static byte[] canonicalize(JsonNode node) {
        return canonicalize(node, 256);
    }

    /**
     * As {@link #canonicalize(JsonNode)}, with the expected size in characters (e.g. the length of the bytes
     * being checked): a ledger entry of 300 KB otherwise grows its buffer a dozen times.
     */
    public static byte[] canonicalize(JsonNode node, int sizeHint) {
        return canonicalize(node, sizeHint, false);
    }

    /**
     * The bytes trainproof wrote for {@code node} before 2026-12-05, when numbers came from a
     * BigDecimal search for the shortest round-tripping digits. That search differs from ECMAScript
     * (and so from RFC 8785) only for some exact powers of two, e.g. 2^-24, written then as
     * 5.9604644775390625e-8 instead of 5.960464477539063e-8 (46 of the 2,098 powers of two, none
     * other among 1,994,546 doubles compared with Node.js). Used only to recognise entries of
     * ledgers written before, so that an audit does not call them altered (Entries.decode).
     */
    public static byte[] canonicalizeLegacy(JsonNode node, int sizeHint) {
        return canonicalize(node, sizeHint, true);
    }

    private static byte[] canonicalize(JsonNode node, int sizeHint, boolean legacy) {
        StringBuilder sb = new StringBuilder(Math.max(16, sizeHint));
        try {
            write(node, sb, legacy);
        } catch (Failure f) {
            throw new CanonicalizationException(f.path() + ": " + f.getMessage());
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses JSON text strictly (duplicate keys, NaN, trailing data rejected). */
    public static JsonNode parse(byte[] json) throws IOException {
        JsonNode n = readTree(STRICT, json);
        if (n == null) throw new IOException("empty document");
        return n;
    }

    /**
     * The tree of the one JSON value in {@code json}, or null if there is none, as ObjectMapper.readTree
     * with FAIL_ON_TRAILING_TOKENS builds it: integers as IntNode, LongNode or BigIntegerNode by size,
     * other numbers as DoubleNode, objects in key order with a repeated key's last value (where the
     * factory does not reject it) at its first place; a token after the value is an error with the
     * mapper's message and location.
     */
    static JsonNode readTree(JsonFactory f, byte[] json) throws IOException {
        try (JsonParser p = f.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) return null;
            JsonNode n = value(p, t);
            p.clearCurrentToken(); // as the mapper does: an error in what follows then says "in null", not the value's token
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new JsonParseException(p, "Trailing token (of type " + after + ") found after value (bound as `"
                        + JsonNode.class.getName() + "`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`",
                        p.currentTokenLocation());
            }
            return n;
        }
    }

    /** The value whose first token {@code t} the parser is on (depth is bounded by the factory's limits). */
    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        // the parser reports an end of input inside a value itself; null here would be its bug, not the input's
        if (t == null) throw new JsonParseException(p, "Unexpected end-of-input", p.currentLocation());
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                JsonToken k = p.nextToken();
                for (; k == JsonToken.FIELD_NAME; k = p.nextToken()) {
                    String name = p.currentName();
                    o.replace(name, value(p, p.nextToken()));
                }
                if (k != JsonToken.END_OBJECT) throw new JsonParseException(p, "Unexpected token (" + k + ") in an object", p.currentLocation());
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(value(p, e));
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new JsonParseException(p, "Unexpected token (" + t + ")", p.currentTokenLocation());
        }
    }

    /** Parses a JSON object strictly. */
    public static ObjectNode parseObject(byte[] json) throws IOException {
        JsonNode n = parse(json);
        if (!(n instanceof ObjectNode o)) throw new IOException("not a JSON object");
        return o;
    }

    /**
     * Parses {@code json} as a JSON object for a caller that will accept it only if {@link
     * #isCanonicalForm} holds (ledger entries): duplicate keys are not looked for here, because such
     * bytes can never be canonical. Any caller must fall back to {@link #parseObject} to report a
     * rejection, so that errors are exactly those of the strict reader.
     */
    static ObjectNode parseCanonicalCandidate(byte[] json) throws IOException {
        JsonNode n = readTree(CANONICAL_CANDIDATE, json);
        if (!(n instanceof ObjectNode o)) throw new IOException("not a JSON object");
        return o;
    }

    /**
     * True when {@code bytes} are exactly the RFC 8785 form of {@code node} ({@code legacy}: the
     * pre-2026-12-05 number form, see {@link #canonicalizeLegacy}); false also when {@code node}
     * cannot be canonicalized. Compares without building the byte array when the text is ASCII.
     */
    static boolean isCanonicalForm(JsonNode node, byte[] bytes, boolean legacy) {
        StringBuilder sb = new StringBuilder(Math.max(16, bytes.length));
        try {
            write(node, sb, legacy);
        } catch (Failure f) {
            return false;
        }
        int n = sb.length();
        if (n == bytes.length) {
            int i = 0;
            while (i < n) {
                char c = sb.charAt(i);
                if (c >= 0x80 || c != bytes[i]) break;
                i++;
            }
            if (i == n) return true;
            // All ASCII and equal before i: byte i of the UTF-8 form is char i if that is ASCII too.
            if (sb.charAt(i) < 0x80) return false;
        }
        // Non-ASCII text (or another length): compare the UTF-8 bytes.
        return java.util.Arrays.equals(sb.toString().getBytes(StandardCharsets.UTF_8), bytes);
    }

    /**
     * A value that cannot be canonicalized; each enclosing level adds its path segment as the
     * failure passes through, so no path string is built while nothing fails.
     */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();

        Failure(String message) {
            super(message, null, false, false);
        }

        Failure in(String segment) {
            segments.addFirst(segment);
            return this;
        }

        String path() {
            return "$" + String.join("", segments);
        }
    }

    private static void write(JsonNode n, StringBuilder sb, boolean legacy) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(n.properties());
                fields.sort(Map.Entry.comparingByKey()); // String.compareTo compares UTF-16 code units
                sb.append('{');
                boolean first = true;
                for (Map.Entry<String, JsonNode> f : fields) {
                    if (!first) sb.append(',');
                    first = false;
                    try {
                        writeString(f.getKey(), sb);
                        sb.append(':');
                        write(f.getValue(), sb, legacy);
                    } catch (Failure e) {
                        throw e.in("." + f.getKey());
                    }
                }
                sb.append('}');
            }
            case ARRAY -> {
                sb.append('[');
                for (int i = 0; i < n.size(); i++) {
                    if (i > 0) sb.append(',');
                    try {
                        write(n.get(i), sb, legacy);
                    } catch (Failure e) {
                        throw e.in("[" + i + "]");
                    }
                }
                sb.append(']');
            }
            case STRING -> writeString(n.textValue(), sb);
            case BOOLEAN -> sb.append(n.booleanValue() ? "true" : "false");
            case NULL -> sb.append("null");
            case NUMBER -> writeNumber(n, sb, legacy);
            default -> throw new Failure("unsupported JSON value " + n.getNodeType());
        }
    }

    private static void writeNumber(JsonNode n, StringBuilder sb, boolean legacy) {
        if (n.isIntegralNumber()) {
            if (n.canConvertToLong()) {
                long v = n.longValue();
                if (v >= -MAX_SAFE && v <= MAX_SAFE) {
                    sb.append(v);
                    return;
                }
            }
            BigInteger v = n.bigIntegerValue();
            // A double beyond 2^53 that is an integer below 1e21 is written by number() as this
            // integer literal (e.g. total_flos 37188093821091840, or 113163093940371460 for the
            // double 113163093940371456): it parses back as an integer, and is accepted when it
            // is exactly the canonical form of the double it denotes.
            double d = v.doubleValue();
            if (Math.abs(d) < 1e21 && formatFinite(d).equals(v.toString())) {
                sb.append(v);
                return;
            }
            throw new Failure("integer " + v + " exceeds 2^53 and cannot be represented exactly in JSON (RFC 8785)");
        }
        double d = n.isBigDecimal() ? n.decimalValue().doubleValue() : n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) throw new Failure(NON_FINITE);
        sb.append(legacy ? legacyFormat(d) : formatFinite(d));
    }

    private static final String NON_FINITE = "NaN and Infinity are not allowed in ledger entries (RFC 8785 §3.2.2.3)";

    /** ECMAScript Number.prototype.toString (ECMA-262 Number::toString) for a finite double. */
    public static String number(double d, String path) {
        if (Double.isNaN(d) || Double.isInfinite(d)) throw new CanonicalizationException(path + ": " + NON_FINITE);
        return formatFinite(d);
    }

    private static String formatFinite(double d) {
        if (d == 0) return "0"; // also -0
        if (d == Math.rint(d) && Math.abs(d) < 1e21 && Math.abs(d) <= MAX_SAFE) {
            return Long.toString((long) d);
        }
        return EcmaDouble.serialize(d); // Ryu, checked against Node.js (EcmaNumberNodeTest)
    }

    /** The number formatting of trainproof before 2026-12-05 (see {@link #canonicalizeLegacy}). */
    private static String legacyFormat(double d) {
        if (d == 0 || (d == Math.rint(d) && Math.abs(d) < 1e21 && Math.abs(d) <= MAX_SAFE)) return formatFinite(d);
        String sign = d < 0 ? "-" : "";
        double a = Math.abs(d);
        java.math.BigDecimal exact = new java.math.BigDecimal(a);
        int lo = 1;
        int hi = 17;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            java.math.BigDecimal r = exact.round(new java.math.MathContext(mid, java.math.RoundingMode.HALF_EVEN));
            if (r.doubleValue() == a) hi = mid; else lo = mid + 1;
        }
        java.math.BigDecimal best = exact.round(new java.math.MathContext(lo, java.math.RoundingMode.HALF_EVEN)).stripTrailingZeros();
        String s = best.unscaledValue().toString();
        int k = s.length();
        int n = k - best.scale();
        StringBuilder out = new StringBuilder(sign);
        if (k <= n && n <= 21) {
            out.append(s);
            for (int i = 0; i < n - k; i++) out.append('0');
        } else if (0 < n && n <= 21) {
            out.append(s, 0, n).append('.').append(s, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.");
            for (int i = 0; i < -n; i++) out.append('0');
            out.append(s);
        } else {
            int e = n - 1;
            out.append(s.charAt(0));
            if (k > 1) out.append('.').append(s, 1, k);
            out.append('e').append(e >= 0 ? "+" : "-").append(Math.abs(e));
        }
        return out.toString();
    }

    private static void writeString(String s, StringBuilder sb) {
        sb.append('"');
        // Most strings (hex digests, base64 samples and sketches, names) need no escape: append them whole.
        int plain = 0;
        while (plain < s.length()) {
            char c = s.charAt(plain);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) break;
            plain++;
        }
        if (plain == s.length()) {
            sb.append(s).append('"'); // whole: one array copy (append(s, 0, n) copies char by char)
            return;
        }
        sb.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new Failure("lone surrogate in string");
                }
                sb.append(c).append(s.charAt(++i));
                continue;
            }
            if (Character.isLowSurrogate(c)) throw new Failure("lone surrogate in string");
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** Convenience for tests and callers holding JSON text. */
    public static byte[] canonicalize(String json) throws IOException {
        return canonicalize(parse(json.getBytes(StandardCharsets.UTF_8)));
    }

}
