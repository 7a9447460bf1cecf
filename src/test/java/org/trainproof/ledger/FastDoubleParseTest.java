package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The strict reader parses numbers with jackson-core's FastDoubleParser (USE_FAST_DOUBLE_PARSER):
 * every value must be bit for bit what {@link Double#parseDouble} gives (the JDK is the reference),
 * for the shortest form, 17 significant digits, long decimal expansions and edge values.
 */
class FastDoubleParseTest {
    @Test
    void strictReader_parsesDoublesExactlyAsTheJdk() throws Exception {
        Random r = new Random(19);
        List<String> texts = new ArrayList<>(List.of("4.9e-324", "2.2250738585072014e-308", "2.225073858507201e-308",
                "1.7976931348623157e+308", "9007199254740993.0", "0.1", "1e-7", "1e21", "123456789012345678901234567890.5",
                "2.4703282292062328e-324", "2.4703282292062327e-324", "7.120236347223045e-307", "-0.0", "0.30000000000000004",
                "1.00000000000000011102230246251565404236316680908203125", "1.00000000000000011102230246251565404236316680908203124"));
        for (int i = 0; i < 30_000; i++) {
            double d = Double.longBitsToDouble(r.nextLong());
            if (Double.isNaN(d) || Double.isInfinite(d)) continue;
            texts.add(Double.toString(d));
            texts.add(String.format("%.16e", d));
            texts.add(new java.math.BigDecimal(d).toPlainString().length() < 350 ? new java.math.BigDecimal(d).toString() : Double.toString(d));
            double u = r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
            texts.add(Double.toString(u));
            texts.add(CanonicalJson.number(u, "$"));
        }
        for (String t : texts) {
            String json = "{\"v\":" + t + "}";
            double parsed = CanonicalJson.parseObject(json.getBytes(StandardCharsets.UTF_8)).get("v").asDouble();
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(t)), Double.doubleToRawLongBits(parsed), t);
            double candidate = CanonicalJson.parseCanonicalCandidate(json.getBytes(StandardCharsets.UTF_8)).get("v").asDouble();
            assertEquals(Double.doubleToRawLongBits(Double.parseDouble(t)), Double.doubleToRawLongBits(candidate), t);
        }
    }
}
