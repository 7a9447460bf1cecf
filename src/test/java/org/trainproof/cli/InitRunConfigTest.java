package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/** {@code init} checks the run-config against schemas/run-config.schema.json and names each problem by JSON pointer (issue 18). */
class InitRunConfigTest {
    @TempDir
    Path dir;
    Path key;

    @BeforeEach
    void keys() {
        CliRun k = CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k"));
        assertEquals(0, k.code(), k.toString());
        key = dir.resolve("k.key");
        assertTrue(Files.exists(key), k.toString());
    }

    private CliRun init(String name, String json) throws IOException {
        Path cfg = dir.resolve(name + ".json");
        Files.writeString(cfg, json);
        return CliRun.run("init", dir.resolve(name + ".db"), "--key", key, "--origin", "example.com/runs/1", "--run-config", cfg);
    }

    /** Refused with exit 3, no ledger written, the message names every expected problem and no library. */
    private void refused(String name, String json, String... expected) throws IOException {
        CliRun r = init(name, json);
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        assertFalse(Files.exists(dir.resolve(name + ".db")), "nothing written on a refused run-config");
        for (String e : expected) assertTrue(r.err().contains(e), "expected '" + e + "' in:\n" + r.err());
        String low = r.err().toLowerCase(Locale.ROOT);
        for (String lib : new String[] {"jackson", "jsonreadfeature", "allow_", "networknt", "$."}) {
            assertFalse(low.contains(lib), "library detail '" + lib + "' in: " + r.err());
        }
    }

    @Test
    void misspeltKey_namesItsPointerAndTheNearestKnownKey() throws IOException {
        refused("top", "{\"vocab_sise\": 64}", "/vocab_sise: unknown key; did you mean /vocab_size?");
        refused("nested", "{\"optimizer\": {\"name\": \"adamw\", \"beta\": [0.9, 0.95]}}",
                "/optimizer/beta: unknown key; did you mean /optimizer/betas?");
        refused("inarray", "{\"init\": [{\"pattern\": \"*\", \"distribution\": \"normal\", \"stdd\": 0.02}]}",
                "/init/0/stdd: unknown key; did you mean /init/0/std?");
    }

    @Test
    void invalidEnum_wrongType_missingField_areEachNamed() throws IOException {
        refused("enum", "{\"loss_units\": \"nat\"}", "/loss_units: \"nat\" is not one of nats, bits");
        refused("shape", "{\"lr_schedule\": {\"shape\": \"cosin\"}}", "/lr_schedule/shape: \"cosin\" is not one of cosine, linear, constant, wsd");
        refused("type", "{\"batch_size\": \"8\"}", "/batch_size: expected integer, found string \"8\"");
        refused("missing", "{\"init\": [{\"pattern\": \"embed.weight\"}]}", "/init/0: missing required field \"distribution\"");
        refused("two", "{\"loss_units\": \"nat\", \"vocab_sise\": 5}", "(2 problems)", "/loss_units", "/vocab_sise");
    }

    @Test
    void nanAndInfinity_saySoWithLineAndColumn() throws IOException {
        refused("nan", "{\n  \"grad_clip\": NaN\n}", "line 2, column", "NaN is not a JSON number");
        refused("inf", "{\"grad_clip\": Infinity}", "Infinity is not a JSON number");
    }

    @Test
    void validConfig_isAccepted_andAFarUnknownKeyIsNotedAndKept() throws IOException {
        CliRun ok = init("fixture", Files.readString(Path.of("fixtures", "scratch", "run-config.json")));
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.err().contains("/tokens_definition: not a key of schemas/run-config.schema.json"), ok.err());
        CliRun extra = init("extra", "{\"vocab_size\": 64, \"experiment_notes\": \"ablation 3\"}");
        assertEquals(0, extra.code(), extra.toString());
        assertTrue(extra.err().contains("/experiment_notes: not a key of schemas/run-config.schema.json (no check reads it); recorded as given"), extra.err());
        CliRun log = CliRun.run("log", dir.resolve("extra.db"), "--json");
        assertTrue(log.out().contains("ablation 3"), log.toString());
    }
}
