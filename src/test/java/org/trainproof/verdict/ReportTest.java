package org.trainproof.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.SchemaValidation;

class ReportTest {
    private static final Finding HASH = Finding.of("ENTRY_HASH_MISMATCH", Severity.FAIL, "entry bytes changed")
            .at(Location.file("ledger.db").withEntry(3)).withMismatch("aa", "bb");
    private static final Finding L1 = Finding.of("L1_STEP0_LOSS_LOW", Severity.FAIL, "step-0 loss far below ln V")
            .at(Location.step(0)).withStatistic(1.2, 3.9, 1L);

    @Test
    void integrityFailure_winsOverConsistency() {
        Report r = Report.of("verify", "x.db",
                List.of(new CheckResult("INTEGRITY", "ledger integrity", CheckStatus.FAIL, null, null, 10L, null, null, null, List.of(HASH))),
                Outcome.CONSISTENT, "consistent", List.of(), Map.of());
        assertEquals(Outcome.INTEGRITY_FAILURE, r.outcome());
        assertEquals(1, r.exitCode());
    }

    @Test
    void parameters_keepTheOrderGiven_soTheSameRunWritesTheSameBytes() {
        Map<String, String> given = new java.util.LinkedHashMap<>();
        for (String k : List.of("zeta", "auditor seed", "evidence level", "alpha", "k", "b", "m", "c", "y", "d", "x", "e")) given.put(k, k + "!");
        Report r = Report.of("verify", "x.db",
                List.of(new CheckResult("INTEGRITY", "ledger integrity", CheckStatus.PASS, null, null, 10L, null, null, null, List.of())),
                null, null, List.of(), given);
        assertEquals(List.copyOf(given.keySet()), List.copyOf(r.parameters().keySet()));
    }

    @Test
    void integrityOnlyAudit_cleanIsVerified() {
        Report r = Report.of("verify", "x.db",
                List.of(new CheckResult("INTEGRITY", "ledger integrity", CheckStatus.PASS, null, null, 10L, null, null, null, List.of())),
                null, null, List.of("rollback without a saved checkpoint cannot be detected"), Map.of());
        assertEquals(Outcome.CONSISTENT, r.outcome());
        assertEquals(0, r.exitCode());
    }

    @Test
    void json_isValidAgainstSchema_andSchemaRejectsTampering() {
        Report r = Report.of("verify", "x.db", List.of(
                new CheckResult("INTEGRITY", "ledger integrity", CheckStatus.PASS, null, null, 10L, null, null, null, List.of()),
                new CheckResult("L1", "step-0 loss", CheckStatus.FAIL, 1.2, 3.9, 1L, 1e-9, 2.7, null, List.of(L1))
                        .decidedBy("largest step-0 loss the first record allows", Direction.FAILS_BELOW)),
                Outcome.INCONSISTENT, "INCONSISTENT with training from a random initialisation", List.of("W3: no lr schedule"),
                Map.of("seed", "42"));
        ObjectNode json = (ObjectNode) JsonReport.toJson(r);
        SchemaValidation.assertValid("report.schema.json", json);
        // Issue 13: the deciding rule and its direction are in the JSON, right after the threshold; absent where there is none.
        ObjectNode l1 = (ObjectNode) json.get("checks").get(1);
        assertEquals("FAILS_BELOW", l1.get("direction").asText());
        assertEquals("largest step-0 loss the first record allows", l1.get("rule").asText());
        List<String> fields = new java.util.ArrayList<>();
        l1.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("id", "name", "status", "statistic", "threshold", "direction", "rule", "n"), fields.subList(0, 8));
        assertFalse(json.get("checks").get(0).has("direction"));
        ObjectNode badDir = json.deepCopy();
        ((ObjectNode) badDir.get("checks").get(1)).put("direction", "SIDEWAYS");
        SchemaValidation.assertInvalid("report.schema.json", badDir);
        ObjectNode noRule = json.deepCopy();
        ((ObjectNode) noRule.get("checks").get(1)).remove("rule");
        SchemaValidation.assertInvalid("report.schema.json", noRule);
        // A report written before issue 13 (no direction, no rule) stays valid.
        ObjectNode old = json.deepCopy();
        ((ObjectNode) old.get("checks").get(1)).remove(List.of("rule", "direction"));
        SchemaValidation.assertValid("report.schema.json", old);
        ObjectNode bad = json.deepCopy();
        bad.put("statement", "proved from scratch");
        SchemaValidation.assertInvalid("report.schema.json", bad);
        ObjectNode bad2 = json.deepCopy();
        ((ObjectNode) bad2.get("checks").get(1)).put("status", "OK");
        SchemaValidation.assertInvalid("report.schema.json", bad2);
    }

    @Test
    void text_putsVerdictFirst_thenFailuresWithNumbers_noColourOffTerminal() {
        Report r = Report.of("verify", "x.db", List.of(
                new CheckResult("L1", "step-0 loss", CheckStatus.FAIL, 1.2, 3.9, 1L, null, null, null, List.of(L1))
                        .decidedBy("step-0 loss bound", Direction.FAILS_BELOW)),
                Outcome.INCONSISTENT, "INCONSISTENT: step-0 loss", List.of("C1: no hardware claim"), Map.of());
        StringWriter s = new StringWriter();
        new TextReport(false).write(r, new PrintWriter(s, true));
        String text = s.toString();
        assertTrue(text.startsWith("INCONSISTENT (exit 6): failing check L1 (step-0 loss), 1 finding\n  INCONSISTENT: step-0 loss\n"), text);
        assertTrue(text.contains("L1_STEP0_LOSS_LOW at step 0"));
        assertTrue(text.contains("vs threshold 3.900"));
        // The checks table: statistic, then the threshold with its direction, then the rule that decided.
        assertTrue(text.contains("1.200        fails below 3.900 "), text);
        assertTrue(text.contains("[statistic: step-0 loss bound]"), text);
        assertTrue(text.contains("Not checked:"));
        assertFalse(text.contains("\u001b["));
    }
}
