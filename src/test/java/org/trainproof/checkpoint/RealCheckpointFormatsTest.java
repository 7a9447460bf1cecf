package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/**
 * The real checkpoint files in ../shared/realdata/formats (PyTorch zip and legacy, Lightning, HF
 * Trainer side files, a corrupted GGUF), each checked against the {@code expected_facts} column of
 * its MANIFEST.tsv row: for every tensor listed there, its name, storage dtype, shape and first values.
 */
class RealCheckpointFormatsTest {
    static final Path FORMATS = Path.of("..", "shared", "realdata", "formats");

    /** One "/name:XStorage:shape[..]:stride[..]:off0:loc=..:first=[..]" fact. */
    static final Pattern TENSOR = Pattern.compile(
            "'/([^:']+):(\\w+)Storage:shape\\[([^\\]]*)\\]:stride\\[[^\\]]*\\]:off\\d+:loc=[^:]+(?::\\d+)?:first=\\[([^\\]]*)\\]'");

    static final Map<String, String> DTYPE = Map.of("Float", "F32", "Half", "F16", "BFloat16", "BF16", "Long", "I64");

    record Row(String file, String format, String facts) {}

    static List<Row> rows() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(FORMATS.resolve("MANIFEST.tsv")), "../shared/realdata/formats absent");
        List<Row> out = new ArrayList<>();
        for (String line : Files.readAllLines(FORMATS.resolve("MANIFEST.tsv"))) {
            String[] c = line.split("\t", -1);
            if (c.length < 8 || c[0].equals("file")) continue;
            if (c[1].startsWith("pytorch") || c[1].startsWith("gguf")) out.add(new Row(c[0], c[1], c[7]));
        }
        return out;
    }

    @Test
    void pytorchZipAndLightningRows_everyListedTensorMatches() throws Exception {
        int rows = 0, tensors = 0;
        for (Row r : rows()) {
            if (!r.format().startsWith("pytorch_zip") || !r.facts().contains("n_tensors=")) continue;
            Path p = FORMATS.resolve(r.file());
            CheckpointManifest m = Manifests.of(p);
            Matcher n = Pattern.compile("n_tensors=(\\d+)").matcher(r.facts());
            assertTrue(n.find());
            assertEquals(Integer.parseInt(n.group(1)), m.tensors().size(), r.file());
            Matcher prefix = Pattern.compile("zip_prefix=(\\w+)").matcher(r.facts());
            assertTrue(prefix.find());
            assertEquals(prefix.group(1), m.files().get(0).metadata().get("archive"), r.file());
            Matcher t = TENSOR.matcher(r.facts());
            while (t.find()) {
                String name = t.group(1);
                TensorManifest tm = m.tensor(name).orElseThrow(() -> new AssertionError(r.file() + ": no tensor " + name));
                assertEquals(DTYPE.get(t.group(2)), tm.dtype(), r.file() + " " + name);
                List<Long> shape = new ArrayList<>();
                for (String s : t.group(3).split(",\\s*")) if (!s.isBlank()) shape.add(Long.parseLong(s.trim()));
                assertEquals(shape, tm.shape(), r.file() + " " + name);
                String[] firsts = t.group(4).isBlank() ? new String[0] : t.group(4).split(",\\s*");
                double[] all = TensorValues.read(p, name);
                for (int i = 0; i < firsts.length; i++) {
                    double want = Double.parseDouble(firsts[i]);
                    assertEquals(want, all[i], 1e-6 * Math.max(1, Math.abs(want)), r.file() + " " + name + "[" + i + "]");
                }
                tensors++;
            }
            if (r.format().contains("lightning")) {
                assertEquals("lightning", m.format());
                assertEquals(0L, m.info().get("epoch"));
                assertEquals(100L, m.info().get("global_step"));
            } else {
                assertEquals("pytorch-zip", m.format());
            }
            rows++;
        }
        assertEquals(8, rows, "pytorch_zip rows with tensors (7 burn/candle + 1 Lightning)");
        assertEquals(17, tensors);
    }

    @Test
    void fortranOrderTensor_logicalOrderIsCOrder() throws Exception {
        rows();
        // shape (2,3,4), stride (1,2,6): the storage holds 1, 13, 5, 17, 9, 21, 2, ... (Fortran order);
        // torch's t.flatten() is 1..24, so reading the storage in place would give the wrong order
        double[] v = TensorValues.read(FORMATS.resolve("pytorch/candle_fortran_tensor_3d.pth"), "tensor_fortran");
        double[] want = new double[24];
        for (int i = 0; i < 24; i++) want[i] = i + 1;
        assertArrayEquals(want, v);
    }

    @Test
    void legacyRows_tensorsAndShapes() throws Exception {
        rows();
        CheckpointManifest simple = Manifests.of(FORMATS.resolve("pytorch_legacy/burn_simple_legacy.pt"));
        assertEquals("pytorch-legacy", simple.format());
        assertEquals(List.of(2L, 3L), simple.tensor("weight").get().shape());
        assertEquals(List.of(2L), simple.tensor("bias").get().shape());
        assertEquals(List.of(2L), simple.tensor("running_mean").get().shape());
        CheckpointManifest shared = Manifests.of(FORMATS.resolve("pytorch_legacy/burn_legacy_shared_storage.pt"));
        assertEquals(List.of(10L), shared.tensor("view1").get().shape());
        assertEquals(List.of(20L), shared.tensor("view2").get().shape());
        assertEquals(List.of(10L), shared.tensor("view3").get().shape());
    }

    @Test
    void hfTrainerSideFiles_plainOnesRead_numpyAndClassPicklesRefusedNamingTheGlobal() throws Exception {
        rows();
        Path hf = FORMATS.resolve("hf_trainer_checkpoint/dheena731_checkpoint-2800");
        for (String plain : new String[] {"scheduler.pt", "scaler.pt"}) {
            CheckpointManifest m = Manifests.of(hf.resolve(plain));
            assertEquals("pytorch-zip", m.format());
            assertEquals(0, m.tensors().size(), plain);
        }
        Pickle.PickleRefusedException rng = assertThrows(Pickle.PickleRefusedException.class,
                () -> Manifests.of(hf.resolve("rng_state.pth")));
        assertTrue(rng.global().startsWith("numpy"), rng.global());
        assertTrue(rng.getMessage().contains("rng_state.pth"));
        Pickle.PickleRefusedException args = assertThrows(Pickle.PickleRefusedException.class,
                () -> Manifests.of(hf.resolve("training_args.bin")));
        assertTrue(args.global().matches("(trl|transformers|accelerate)\\..*"), args.global());
        assertEquals(ExitCode.BAD_INPUT, args.exitCode());
    }

    @Test
    void invalidFiles_namedForWhatTheyAre_badInputNotCrash() throws Exception {
        rows();
        Path broken = FORMATS.resolve("pytorch/INVALID_burn_broken.pt");
        assertFalse(CheckpointReaders.isCheckpoint(broken));
        assertTrue(CheckpointReaders.describe(broken).startsWith("not a checkpoint"));
        assertEquals(ExitCode.BAD_INPUT, assertThrows(TrainproofException.class, () -> Manifests.of(broken)).exitCode());
        Path gguf = FORMATS.resolve("gguf/INVALID_textmangled_ggml-vocab-bert-bge.gguf");
        assertEquals("gguf", CheckpointReaders.describe(gguf));
        TrainproofException e = assertThrows(TrainproofException.class, () -> Manifests.of(gguf));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("1572864"), e.getMessage()); // the mangled key length, as MANIFEST states
    }
}
