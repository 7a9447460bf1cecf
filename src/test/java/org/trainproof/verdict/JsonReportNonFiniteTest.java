package org.trainproof.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.SchemaValidation;

/** Non-finite statistics are null with the value named in non_finite, never a string in a numeric field. */
class JsonReportNonFiniteTest {
    @Test
    void nonFiniteStatistics_writtenAsNullWithReason_andValidAgainstSchema() throws Exception {
        Finding f = new Finding("L1_STEP0_LOSS", Severity.WARNING, "loss not finite", Location.step(0),
                Double.NEGATIVE_INFINITY, 1.0, 3L, null, null, null);
        CheckResult c = new CheckResult("L1", "step-0 loss", CheckStatus.INCONCLUSIVE, Double.POSITIVE_INFINITY, Double.NaN,
                3L, null, null, "first loss is inf", List.of(f));
        Report r = Report.of("analyze", "log.jsonl", List.of(c), Outcome.INCONCLUSIVE, "Inconclusive.", List.of(), Map.of());
        String text = JsonReport.toText(r);
        assertFalse(text.contains("Infinity\"") && text.contains(": \"Infinity"), text);
        JsonNode n = new ObjectMapper().readTree(text);
        JsonNode check = n.get("checks").get(0);
        assertTrue(check.get("statistic").isNull());
        assertTrue(check.get("threshold").isNull());
        assertEquals("+Infinity", check.get("non_finite").get("statistic").asText());
        assertEquals("NaN", check.get("non_finite").get("threshold").asText());
        JsonNode finding = check.get("findings").get(0);
        assertTrue(finding.get("statistic").isNull());
        assertEquals("-Infinity", finding.get("non_finite").get("statistic").asText());
        assertEquals(1.0, finding.get("threshold").asDouble());
        assertFalse(finding.has("non_finite") && finding.get("non_finite").has("threshold"));
        SchemaValidation.assertValid("report.schema.json", n);
    }
}
