package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * CanonicalJson reads trees with jackson-core's parser and its own loop instead of an ObjectMapper (a
 * mapper cost 37–40 ms of a fresh JVM's start). Here the mappers it replaced — configured as they were,
 * FAIL_ON_TRAILING_TOKENS included — read the same documents: random valid ones (integers of every
 * width, decimal and exponent forms, escapes, nesting, repeated keys), their truncations and
 * corruptions, and documents with trailing data. Every tree must match node class by node class (a
 * double by its bits), and every rejection must carry the mapper's message and location.
 */
class TreeReaderParityTest {
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(200).maxNumberLength(400).maxStringLength(64 * 1024 * 1024).build();

    /** The reader CanonicalJson.parse used until 2026-12-06. */
    private static final ObjectMapper OLD_STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The reader of parseCanonicalCandidate until then (no duplicate detection). */
    private static final ObjectMapper OLD_CANDIDATE = JsonMapper.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        OLD_STRICT.getFactory().setStreamReadConstraints(LIMITS);
        OLD_CANDIDATE.getFactory().setStreamReadConstraints(LIMITS);
    }

    private interface Read {
        JsonNode read(byte[] json) throws IOException;
    }

    private static JsonNode old(ObjectMapper m, byte[] json) throws IOException {
        try (JsonParser p = m.getFactory().createParser(json)) {
            JsonNode n = m.readTree(p);
            if (n == null) throw new IOException("empty document");
            return n;
        }
    }

    private static final String[] INTEGERS = {"0", "-0", "7", "-12", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890"};
    private static final String[] FLOATS = {"0.0", "-0.0", "1.5", "1e5", "1E-7", "-2.5e+3", "0.1", "4.9e-324", "2.2250738585072014E-308",
        "1.7976931348623157e308", "1e400", "-1e400", "1e-400", "123456789012345678901234567890.5", "0.30000000000000004",
        "5.960464477539063e-8", "100000000000000000000000.0"};
    private static final String[] STRINGS = {"", "a", "step", "loss/train", "\\u00e9t\\u00e9", "\\ud83d\\ude00", "tab\\there", "q\\\"uote",
        "back\\\\slash", "\\u0000", "\\/", "line\\nbreak", "\u00fc\u4e2d"};

    private static void value(Random r, StringBuilder b, int depth, boolean duplicates) {
        int kind = depth >= 5 ? 2 + r.nextInt(5) : r.nextInt(7);
        switch (kind) {
            case 0 -> {
                b.append('{').append(ws(r));
                int n = r.nextInt(5);
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (i > 0) b.append(',').append(ws(r));
                    String k = duplicates && !keys.isEmpty() && r.nextInt(4) == 0 ? keys.get(r.nextInt(keys.size()))
                            : STRINGS[r.nextInt(STRINGS.length)] + i;
                    keys.add(k);
                    b.append('"').append(k).append('"').append(ws(r)).append(':').append(ws(r));
                    value(r, b, depth + 1, duplicates);
                }
                b.append(ws(r)).append('}');
            }
            case 1 -> {
                b.append('[');
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    if (i > 0) b.append(',').append(ws(r));
                    value(r, b, depth + 1, duplicates);
                }
                b.append(']');
            }
            case 2 -> b.append(INTEGERS[r.nextInt(INTEGERS.length)]);
            case 3 -> b.append(FLOATS[r.nextInt(FLOATS.length)]);
            case 4 -> b.append(r.nextBoolean() ? Long.toString(r.nextLong() >> r.nextInt(64)) : Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20)));
            case 5 -> b.append('"').append(STRINGS[r.nextInt(STRINGS.length)]).append('"');
            default -> b.append(new String[] {"true", "false", "null"}[r.nextInt(3)]);
        }
    }

    private static String ws(Random r) {
        return r.nextInt(4) == 0 ? " \n\t".substring(0, 1 + r.nextInt(3)) : "";
    }

    private static String document(Random r, boolean duplicates) {
        StringBuilder b = new StringBuilder(ws(r));
        if (r.nextInt(3) > 0) {
            b.append("{\"step\": ").append(r.nextInt(1000)).append(", \"v\": ");
            value(r, b, 1, duplicates);
            b.append('}');
        } else {
            value(r, b, 0, duplicates);
        }
        return b.append(ws(r)).toString();
    }

    /** Documents: valid ones, then each truncated, corrupted at one byte, and followed by more data. */
    private static List<String> corpus(long seed, int n, boolean duplicates) {
        Random r = new Random(seed);
        List<String> docs = new ArrayList<>(List.of("", "   ", "{}", "[]", "{} {}", "[1] x", "1 2", "{\"a\":1}}", "{\"a\":1,\"a\":2}",
                "{\"a\":NaN}", "[Infinity]", "{\"a\":1 /* c */}", "{'a':1}", "[1,]", "{\"a\":}", "\"x", "tru", "-", "01", "1.", ".5",
                "{\"a\":{\"b\":[1,{\"c\":null}]}} ", "[[[[[[[[[[]]]]]]]]]]", "[".repeat(201) + "]".repeat(201)));
        String junk = "{}[],:\"x1-e. ";
        for (int i = 0; i < n; i++) {
            String d = document(r, duplicates);
            docs.add(d);
            docs.add(d.substring(0, r.nextInt(d.length() + 1)));
            int at = r.nextInt(d.length());
            docs.add(d.substring(0, at) + junk.charAt(r.nextInt(junk.length())) + d.substring(at + 1));
            docs.add(d + (r.nextBoolean() ? " " : "") + new String[] {"{}", "1", "x", "]", "\"s\"", "null"}[r.nextInt(6)]);
        }
        return docs;
    }

    private static void same(JsonNode a, JsonNode b, String where) {
        assertEquals(a.getClass(), b.getClass(), where);
        if (a.isObject()) {
            List<String> ka = new ArrayList<>();
            a.fieldNames().forEachRemaining(ka::add);
            List<String> kb = new ArrayList<>();
            b.fieldNames().forEachRemaining(kb::add);
            assertEquals(ka, kb, where);
            for (String k : ka) same(a.get(k), b.get(k), where + "." + k);
        } else if (a.isArray()) {
            assertEquals(a.size(), b.size(), where);
            for (int i = 0; i < a.size(); i++) same(a.get(i), b.get(i), where + "[" + i + "]");
        } else if (a.isDouble()) {
            assertEquals(Double.doubleToRawLongBits(a.doubleValue()), Double.doubleToRawLongBits(b.doubleValue()), where);
        } else {
            assertEquals(a, b, where);
        }
    }

    /** Runs both readers on every document; returns how many each accepted and rejected, for a check that both kinds were met. */
    private static int[] compare(List<String> docs, Read expected, Read actual) {
        int[] counts = new int[2];
        for (String d : docs) {
            byte[] bytes = d.getBytes(StandardCharsets.UTF_8);
            JsonNode want = null;
            JsonNode got = null;
            IOException wantErr = null;
            IOException gotErr = null;
            try {
                want = expected.read(bytes);
            } catch (IOException e) {
                wantErr = e;
            }
            try {
                got = actual.read(bytes);
            } catch (IOException e) {
                gotErr = e;
            }
            String where = "document <" + d + ">";
            if (wantErr == null) {
                if (gotErr != null) fail(where + ": the mapper read it, the tree reader rejected it: " + gotErr);
                same(want, got, where);
                counts[0]++;
            } else {
                assertNotNull(gotErr, where + ": the mapper rejected it (" + wantErr.getMessage() + "), the tree reader read " + got);
                if (wantErr instanceof JsonProcessingException we) {
                    assertTrue(gotErr instanceof JsonProcessingException, where + ": " + gotErr);
                    JsonProcessingException ge = (JsonProcessingException) gotErr;
                    assertEquals(we.getOriginalMessage(), ge.getOriginalMessage(), where);
                    assertEquals(at(we), at(ge), where);
                } else {
                    assertEquals(wantErr.getMessage(), gotErr.getMessage(), where);
                }
                counts[1]++;
            }
        }
        return counts;
    }

    /** Line and column of an error, or null where the library gives none (a limit exceeded). */
    private static String at(JsonProcessingException e) {
        return e.getLocation() == null ? null : e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
    }

    @Test
    void strictReader_buildsTheMappersTrees_andRejectsWhatItRejected() {
        int[] c = compare(corpus(20261206L, 3000, false), d -> old(OLD_STRICT, d), CanonicalJson::parse);
        assertTrue(c[0] > 3000 && c[1] > 3000, "accepted " + c[0] + ", rejected " + c[1]);
    }

    @Test
    void strictReader_rejectsARepeatedKey_asTheMapperDid() {
        int[] c = compare(corpus(7L, 1500, true), d -> old(OLD_STRICT, d), CanonicalJson::parse);
        assertTrue(c[0] > 1000 && c[1] > 1500, "accepted " + c[0] + ", rejected " + c[1]);
    }

    @Test
    void candidateReader_keepsARepeatedKeysLastValueInItsFirstPlace_asTheMapperDid() {
        Read oldObject = d -> { // as parseCanonicalCandidate read until then: no document is not an object either
            JsonNode n;
            try (JsonParser p = OLD_CANDIDATE.getFactory().createParser(d)) {
                n = OLD_CANDIDATE.readTree(p);
            }
            if (n == null || !n.isObject()) throw new IOException("not a JSON object");
            return n;
        };
        int[] c = compare(corpus(11L, 1500, true), oldObject, CanonicalJson::parseCanonicalCandidate);
        assertTrue(c[0] > 1000 && c[1] > 1500, "accepted " + c[0] + ", rejected " + c[1]);
    }
}
