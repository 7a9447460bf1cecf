package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.trainproof.SchemaValidation;

/**
 * The run configs the Python package generates (HF TrainingArguments of the real shape, the HF and Lightning
 * callbacks, from_torch; python/tests/emit_run_configs.py) validate against schemas/run-config.schema.json.
 * Skipped, with the reason, where python3 is absent; without torch only the TrainingArguments one is made.
 */
class PythonRunConfigSchemaTest {
    @Test
    void generatedRunConfigs_validateAgainstTheSchema() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("python3", "python/tests/emit_run_configs.py").redirectErrorStream(false).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("python3 not available: run-config schema test skipped");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), err);
        assertEquals(0, p.exitValue(), err);
        JsonNode all = new ObjectMapper().readTree(out);
        List<String> names = new ArrayList<>();
        all.fieldNames().forEachRemaining(names::add);
        assertTrue(names.contains("hf_args"), names.toString());
        if (names.size() == 1) System.out.println("PythonRunConfigSchemaTest: torch absent, only hf_args generated");
        for (String n : names) {
            JsonNode cfg = all.get(n);
            assertTrue(cfg.has("optimizer") && cfg.has("lr_schedule") && cfg.has("batch_size"), n + ": " + cfg);
            SchemaValidation.assertValid("run-config.schema.json", cfg);
            // Not vacuous: the same document with a wrong type is rejected.
            ObjectNode broken = cfg.deepCopy();
            ((ObjectNode) broken.get("lr_schedule")).put("peak_lr", "3e-4");
            SchemaValidation.assertInvalid("run-config.schema.json", broken);
        }
    }
}
