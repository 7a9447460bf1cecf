package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.SchemaValidation;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.SafetensorsWriter;

/**
 * Non-finite numbers in the input (a loss of Infinity at step 0, NaN and -Infinity later, NaN and
 * Infinity weights) never reach a JSON document the tool writes for a reader as a string or a bare
 * NaN token: verify, analyze and compare reports, the metrics summary and the inspect manifest are
 * parsed by a strict parser and walked; a non-finite value may appear only as a label inside a
 * {@code non_finite} map, beside the null it explains. (Ledger entries keep their signed format:
 * docs/metrics-entry.md writes NaN records as strings, and {@code log --json} prints entries as signed.)
 */
class NonFiniteJsonOutputsTest {
    private static final ObjectMapper STRICT = new ObjectMapper(); // rejects NaN/Infinity tokens
    private static final Set<String> NON_FINITE_TEXT = Set.of("NaN", "Infinity", "+Infinity", "-Infinity", "inf", "-inf", "nan");

    @TempDir
    Path dir;
    Path log, ck0, ck10;

    @BeforeEach
    void setUp() throws Exception {
        StringBuilder b = new StringBuilder("{\"step\": 0, \"loss\": Infinity, \"lr\": 0.001, \"grad_norm\": NaN}\n");
        b.append("{\"step\": 1, \"loss\": NaN, \"lr\": 0.001, \"grad_norm\": Infinity}\n");
        b.append("{\"step\": 2, \"loss\": -Infinity, \"lr\": 0.001, \"grad_norm\": 1.0}\n");
        for (int s = 3; s <= 10; s++) b.append("{\"step\": ").append(s).append(", \"loss\": ").append(4.0 - 0.1 * s).append(", \"lr\": 0.001}\n");
        log = Files.writeString(dir.resolve("log.jsonl"), b);
        Path run = Files.createDirectories(dir.resolve("run"));
        ck0 = model(run.resolve("step-0.safetensors"), 1);
        ck10 = model(run.resolve("step-10.safetensors"), 2);
    }

    /** A tiny model with a NaN in a norm gain and an Infinity in a hidden layer. */
    private static Path model(Path file, long seed) throws Exception {
        Random r = new Random(seed);
        double[] gain = new double[64], fc1 = new double[128 * 64], fc2 = new double[64 * 128];
        for (int i = 0; i < gain.length; i++) gain[i] = 1 + 0.01 * r.nextGaussian();
        for (int i = 0; i < fc1.length; i++) fc1[i] = 0.02 * r.nextGaussian();
        for (int i = 0; i < fc2.length; i++) fc2[i] = 0.02 * r.nextGaussian();
        gain[5] = Double.NaN;
        fc1[7] = Double.POSITIVE_INFINITY;
        fc2[9] = Double.NEGATIVE_INFINITY;
        new SafetensorsWriter().tensor("ln.weight", Dtype.F32, new long[] {64}, gain).tensor("fc1.weight", Dtype.F32, new long[] {128, 64}, fc1)
                .tensor("fc2.weight", Dtype.F32, new long[] {64, 128}, fc2).write(file);
        return file;
    }

    /** Paths (JSON pointers) where a non-finite value is written as text, outside a non_finite map. */
    private static List<String> nonFiniteText(JsonNode n, String at) {
        List<String> out = new ArrayList<>();
        if (n.isTextual() && NON_FINITE_TEXT.contains(n.asText().trim())) out.add(at + " = \"" + n.asText() + "\"");
        if (n.isNumber() && !Double.isFinite(n.doubleValue())) out.add(at + " = " + n);
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (e.getKey().equals("non_finite")) {
                    for (Map.Entry<String, JsonNode> r : e.getValue().properties()) {
                        if (!n.get(r.getKey()).isNull()) out.add(at + "/" + r.getKey() + ": named in non_finite but not null");
                    }
                    continue;
                }
                out.addAll(nonFiniteText(e.getValue(), at + "/" + e.getKey()));
            }
        }
        if (n.isArray()) for (int i = 0; i < n.size(); i++) out.addAll(nonFiniteText(n.get(i), at + "/" + i));
        return out;
    }

    private JsonNode written(Path json, Object... args) throws Exception {
        CliRun r = CliRun.run(args);
        assertTrue(r.code() != 4 && r.code() != 2, r.toString());
        assertTrue(Files.isRegularFile(json), "no " + json + ": " + r);
        JsonNode n = STRICT.readTree(json.toFile());
        List<String> bad = nonFiniteText(n, "");
        assertTrue(bad.isEmpty(), args[0] + ": " + bad);
        return n;
    }

    @Test
    void metrics_firstLossInfinity_isNullWithReason() throws Exception {
        Path json = dir.resolve("m.json");
        JsonNode n = written(json, "metrics", log, "--json", json);
        JsonNode first = n.get("files").get(0).get("first_loss");
        assertTrue(first.get("value").isNull(), first.toString());
        assertEquals("+Infinity", first.get("non_finite").get("value").asText(), first.toString());
        SchemaValidation.assertValid("metrics-summary.schema.json", n);
    }

    @Test
    void analyzeCompareInspect_nonFiniteLogAndWeights_noStringsInNumericFields() throws Exception {
        Path a = dir.resolve("a.json");
        SchemaValidation.assertValid("report.schema.json",
                written(a, "analyze", log, ck0, ck10, "--vocab-size", "64", "--seed", "1", "--json", a, "--quiet"));
        Path c = dir.resolve("c.json");
        SchemaValidation.assertValid("report.schema.json", written(c, "compare", ck0, ck10, "--permutations", "99", "--json", c, "--quiet"));
        Path i = dir.resolve("i.json");
        written(i, "inspect", ck0, "--json", i);
    }

    @Test
    void verify_ledgerOfNonFiniteRun_noStringsInNumericFields() throws Exception {
        CliRun k = CliRun.run("keygen", "--name", "example.com/nf", "--out", dir.resolve("k"));
        assertEquals(0, k.code(), k.toString());
        Path db = dir.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/nf").code());
        CliRun r0 = CliRun.run("record", db, "--key", dir.resolve("k.key"), "--step", 0, "--checkpoint", ck0, "--log", log, "--base", dir);
        assertEquals(0, r0.code(), r0.toString());
        CliRun r1 = CliRun.run("record", db, "--key", dir.resolve("k.key"), "--step", 10, "--checkpoint", ck10, "--base", dir);
        assertEquals(0, r1.code(), r1.toString());
        Path v = dir.resolve("v.json");
        JsonNode n = written(v, "verify", db, "--key", dir.resolve("k.pub"), "--artifacts", dir, "--seed", "2", "--json", v, "--quiet");
        SchemaValidation.assertValid("report.schema.json", n);
        // the ledger holds the non-finite records (as its signed format writes them), so the audit read them
        CliRun entries = CliRun.run("log", db, "--json", "-");
        assertTrue(entries.out().contains("\"Infinity\"") && entries.out().contains("\"NaN\""), entries.toString());
    }
}
