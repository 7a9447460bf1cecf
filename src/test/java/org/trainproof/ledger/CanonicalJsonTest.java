package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 8785 examples (§3.2.2, §3.2.3, Appendix B) and the properties the number algorithm must have. */
class CanonicalJsonTest {

    private static String canon(String json) throws IOException {
        return new String(CanonicalJson.canonicalize(json), StandardCharsets.UTF_8);
    }

    @Test
    void rfc8785_section3_2_2_example() throws IOException {
        String in = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n}";
        String want = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertEquals(want, canon(in));
    }

    @Test
    void rfc8785_section3_2_3_sortsByUtf16CodeUnits() throws IOException {
        String in = "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\","
                + " \"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\","
                + " \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}";
        String want = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
                + "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        assertEquals(want, canon(in));
    }

    /** RFC 8785 Appendix B: IEEE 754 bit patterns and their JCS serialization. */
    @Test
    void rfc8785_appendixB_numbers() {
        String[][] cases = {
            {"0000000000000000", "0"},
            {"8000000000000000", "0"},
            {"0000000000000001", "5e-324"},
            {"8000000000000001", "-5e-324"},
            {"7fefffffffffffff", "1.7976931348623157e+308"},
            {"ffefffffffffffff", "-1.7976931348623157e+308"},
            {"4340000000000000", "9007199254740992"},
            {"c340000000000000", "-9007199254740992"},
            {"4430000000000000", "295147905179352830000"},
            {"44b52d02c7e14af5", "9.999999999999997e+22"},
            {"44b52d02c7e14af6", "1e+23"},
            {"44b52d02c7e14af7", "1.0000000000000001e+23"},
            {"444b1ae4d6e2ef4e", "999999999999999700000"},
            {"444b1ae4d6e2ef4f", "999999999999999900000"},
            {"444b1ae4d6e2ef50", "1e+21"},
            {"3eb0c6f7a0b5ed8c", "9.999999999999997e-7"},
            {"3eb0c6f7a0b5ed8d", "0.000001"},
            {"41b3de4355555553", "333333333.3333332"},
            {"41b3de4355555554", "333333333.33333325"},
            {"41b3de4355555555", "333333333.3333333"},
            {"41b3de4355555556", "333333333.3333334"},
            {"41b3de4355555557", "333333333.33333343"},
            {"becbf647612f3696", "-0.0000033333333333333333"},
            {"43143ff3c1cb0959", "1424953923781206.2"},
        };
        for (String[] c : cases) {
            double d = Double.longBitsToDouble(Long.parseUnsignedLong(c[0], 16));
            assertEquals(c[1], CanonicalJson.number(d, "$"), c[0]);
        }
    }

    @Test
    void nanAndInfinity_rejectedWithPath() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.putObject("metrics").putArray("loss").add(1.0).add(Double.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalize(o));
        assertTrue(e.getMessage().contains("$.metrics.loss[1]"), e.getMessage());
        ObjectNode inf = JsonNodeFactory.instance.objectNode().put("x", Double.POSITIVE_INFINITY);
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalize(inf));
    }

    @Test
    void parse_rejectsDuplicateKeysNanAndTrailingData() {
        assertThrows(IOException.class, () -> CanonicalJson.parse("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> CanonicalJson.parse("{\"a\":NaN}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> CanonicalJson.parse("{\"a\":1} {}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void integersBeyond2pow53_rejected() {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("x", (1L << 53) + 1);
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalize(o));
        assertEquals("{\"x\":9007199254740992}", new String(CanonicalJson.canonicalize(
                JsonNodeFactory.instance.objectNode().put("x", 1L << 53)), StandardCharsets.UTF_8));
    }

    @Test
    void loneSurrogate_rejected() {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("x", "a\ud800b");
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalize(o));
    }

    /** For random doubles: the output parses back to the same double and no shorter digit string does. */
    @Test
    void randomDoubles_roundTripWithShortestDigits() {
        Random r = new Random(8785);
        for (int i = 0; i < 20000; i++) {
            double d = i % 2 == 0 ? Double.longBitsToDouble(r.nextLong()) : r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
            if (Double.isNaN(d) || Double.isInfinite(d)) continue;
            String s = CanonicalJson.number(d, "$");
            assertEquals(d == 0 ? 0.0 : d, Double.parseDouble(s), s);
            BigDecimal b = new BigDecimal(s).stripTrailingZeros();
            int digits = b.precision();
            if (digits > 1 && d != 0) {
                BigDecimal shorter = new BigDecimal(Math.abs(d)).round(new MathContext(digits - 1, RoundingMode.HALF_EVEN));
                assertTrue(shorter.doubleValue() != Math.abs(d), "not shortest: " + s);
            }
        }
    }
}
