package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same tensors written by real torch (2.x) as a torch.save zip, a nested training checkpoint, a
 * Hugging Face-named .bin, a Lightning-layout .ckpt, a legacy pre-1.6 file, a big-endian copy, a DCP
 * folder and a safetensors file: every container must give each tensor the digest torch itself
 * computes over {@code t.contiguous()} bytes (the oracle, written by the Python script), the same
 * element count and mean — including non-contiguous (Fortran-order), offset views sharing one storage,
 * scalars and empty tensors.
 */
class TorchContainersTest {
    @TempDir
    static Path dir;

    static JsonNode expected;

    @BeforeAll
    static void write() throws Exception {
        Py.assumeTorch();
        Path script = Path.of("src/test/resources/formats/write_torch_files.py").toAbsolutePath();
        Py.runScript(dir, script, dir.toString());
        expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
    }

    private static int checkAll(String file, String prefix, CheckpointManifest m) {
        int n = 0;
        List<String> failures = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix + e.getKey();
            TensorManifest t = m.tensor(name).orElse(null);
            if (t == null) {
                failures.add(file + ": no tensor " + name);
                continue;
            }
            JsonNode x = e.getValue();
            if (!x.get("sha256").asText().equals(t.sha256())) failures.add(file + " " + name + ": digest " + t.sha256());
            if (x.get("count").asLong() != t.count()) failures.add(file + " " + name + ": count " + t.count());
            List<Long> shape = new ArrayList<>();
            x.get("shape").forEach(v -> shape.add(v.asLong()));
            if (!shape.equals(t.shape())) failures.add(file + " " + name + ": shape " + t.shape());
            if (!x.get("mean").isNull()) {
                double want = x.get("mean").asDouble();
                if (t.stats() == null || Math.abs(t.stats().mean() - want) > 1e-9 * Math.max(1, Math.abs(want))) {
                    failures.add(file + " " + name + ": mean " + (t.stats() == null ? null : t.stats().mean()) + " want " + want);
                }
            }
            n++;
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        return n;
    }

    @Test
    void everyContainer_sameTensors_sameLogicalDigestsCountsAndMeans() {
        int files = 0;
        for (String[] c : new String[][] {
            {"plain.pt", "", "pytorch-zip"},
            {"pytorch_model.bin", "", "pytorch-zip"},
            {"nested.pth", "model_state_dict/", "pytorch-zip"},
            {"epoch=2-step=300.ckpt", "state_dict/", "lightning"},
            {"legacy.pt", "", "pytorch-legacy"},
            {"bigendian.pt", "", "pytorch-zip"},
            {"model.safetensors", "", "safetensors"},
            {"dcp", "", "dcp"},
        }) {
            CheckpointManifest m = Manifests.of(dir.resolve(c[0]));
            assertEquals(c[2], m.format(), c[0]);
            assertEquals(13, checkAll(c[0], c[1], m));
            files++;
        }
        assertEquals(8, files);
    }

    @Test
    void lightningCheckpoint_reportsGlobalStepAndEpoch_andOptimizerStates() {
        CheckpointManifest m = Manifests.of(dir.resolve("epoch=2-step=300.ckpt"));
        assertNotNull(m.info());
        assertEquals(300L, m.info().get("global_step"));
        assertEquals(2L, m.info().get("epoch"));
        // AdamW state of the Linear(6, 4) model: exp_avg and exp_avg_sq of weight and bias
        assertTrue(m.tensor("optimizer_states/0/state/0/exp_avg").isPresent());
        assertEquals(List.of(4L, 6L), m.tensor("optimizer_states/0/state/0/exp_avg_sq").get().shape());
    }

    @Test
    void nestedCheckpoint_epochReported_optimizerTensorsRead() {
        CheckpointManifest m = Manifests.of(dir.resolve("nested.pth"));
        assertEquals(7L, m.info().get("epoch"));
        assertTrue(m.tensor("optimizer_state_dict/state/1/exp_avg").isPresent());
        // whole-file SHA-256 is leaf 0 of the file root: equals sha256sum
        assertNotNull(m.files().get(0).sha256());
    }

    @Test
    void detection_isByContent_notByExtension() throws Exception {
        Path renamed = dir.resolve("weights.safetensors");
        Files.copy(dir.resolve("plain.pt"), renamed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals("pytorch-zip", CheckpointReaders.describe(renamed));
        assertEquals("pytorch-zip", Manifests.of(renamed).format());
        Path gguf = dir.resolve("model.pt");
        Files.write(gguf, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertEquals("gguf", CheckpointReaders.describe(gguf));
    }
}
