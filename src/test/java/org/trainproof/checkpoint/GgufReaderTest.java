package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/** GGUF files written by the reference writer (gguf-py, llama.cpp's own), checked against numpy's bytes. */
class GgufReaderTest {
    @TempDir
    Path dir;

    private static final String WRITE = String.join("\n",
            "import gguf, numpy as np, hashlib, json, sys",
            "from gguf.constants import GGMLQuantizationType as T",
            "rng = np.random.default_rng(7)",
            "a = rng.standard_normal((3, 4)).astype(np.float32)",
            "h = rng.standard_normal((2, 3)).astype(np.float16)",
            "q = gguf.quants.quantize(rng.standard_normal((2, 64)).astype(np.float32), T.Q8_0)",
            "w = gguf.GGUFWriter('m.gguf', 'llama')",
            "w.add_tensor('a', a); w.add_tensor('h', h); w.add_tensor('q', q, raw_dtype=T.Q8_0)",
            "w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()",
            "json.dump({'a': [hashlib.sha256(a.tobytes()).hexdigest(), float(a.astype(np.float64).mean())],",
            "           'h': [hashlib.sha256(h.tobytes()).hexdigest(), float(h.astype(np.float64).mean())],",
            "           'q': [hashlib.sha256(q.tobytes()).hexdigest(), q.nbytes]}, open('expected.json', 'w'))");

    @Test
    void referenceWriterFile_plainTensorsFully_quantisedByBytesWithTypeNamed() throws Exception {
        Py.assumePython();
        try {
            Py.run(dir, "import gguf");
        } catch (IllegalStateException e) {
            Assumptions.abort("python package gguf (llama.cpp's gguf-py) not installed: test skipped");
        }
        Py.run(dir, WRITE);
        JsonNode x = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        CheckpointManifest m = Manifests.of(dir.resolve("m.gguf"));
        assertEquals("gguf", m.format());
        TensorManifest a = m.tensor("a").orElseThrow();
        assertEquals("F32", a.dtype());
        assertEquals(List.of(3L, 4L), a.shape()); // GGUF stores dims innermost first: [4, 3]
        assertEquals(x.get("a").get(0).asText(), a.sha256());
        assertEquals(x.get("a").get(1).asDouble(), a.stats().mean(), 1e-9);
        TensorManifest h = m.tensor("h").orElseThrow();
        assertEquals("F16", h.dtype());
        assertEquals(x.get("h").get(0).asText(), h.sha256());
        assertEquals(x.get("h").get(1).asDouble(), h.stats().mean(), 1e-9);
        TensorManifest q = m.tensor("q").orElseThrow();
        assertEquals("GGUF_Q8_0", q.dtype());
        assertEquals(List.of(2L, 64L), q.shape());
        assertEquals(x.get("q").get(1).asLong(), q.end() - q.begin());
        assertEquals(x.get("q").get(0).asText(), q.sha256());
        assertNull(q.stats());
        assertNotNull(m.files().get(0).sha256());
        assertEquals("3", m.files().get(0).metadata().get("gguf.version"));
    }

    @Test
    void truncatedAndHugeCounts_badInputWithoutAllocation() throws Exception {
        // a GGUF v3 header claiming 2^62 tensors
        byte[] b = new byte[24];
        System.arraycopy(new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0}, 0, b, 0, 8);
        b[23] = 0x40;
        Path f = dir.resolve("huge.gguf");
        Files.write(f, b);
        assertEquals(ExitCode.BAD_INPUT, assertThrows(TrainproofException.class, () -> Manifests.of(f)).exitCode());
        // truncated inside the header
        Path t = dir.resolve("trunc.gguf");
        Files.write(t, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1, 0});
        assertEquals(ExitCode.BAD_INPUT, assertThrows(TrainproofException.class, () -> Manifests.of(t)).exitCode());
    }
}
