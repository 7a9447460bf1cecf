package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every safetensors row of ../shared/realdata/formats/MANIFEST.tsv: tensor count, dtypes, header
 * length, data start, the listed (name, dtype, shape, offsets), whole-file SHA-256 and the listed
 * values are what the manifest reports; the INVALID_ file fails with the listed rule.
 */
class RealSafetensorsTest {
    static final Path FORMATS = Path.of("..", "shared", "realdata", "formats");

    record Row(String file, String format, long bytes, String sha256, String facts) {}

    static List<Row> rows() throws IOException {
        assumeTrue(Files.isRegularFile(FORMATS.resolve("MANIFEST.tsv")), "shared real data absent");
        List<Row> out = new ArrayList<>();
        for (String line : Files.readAllLines(FORMATS.resolve("MANIFEST.tsv"))) {
            String[] c = line.split("\t", -1);
            if (c.length < 8 || !c[1].startsWith("safetensors")) continue;
            out.add(new Row(c[0], c[1], Long.parseLong(c[5]), c[6], c[7]));
        }
        return out;
    }

    static long fact(String facts, String key) {
        Matcher m = Pattern.compile("'" + key + "': (\\d+)").matcher(facts);
        assertTrue(m.find(), key + " in " + facts);
        return Long.parseLong(m.group(1));
    }

    @Test
    void validFiles_matchManifestFacts() throws IOException {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Row r : rows()) {
            if (r.format.contains("INVALID")) continue;
            checked++;
            Path p = FORMATS.resolve(r.file);
            CheckpointManifest m = Manifests.of(p, ManifestOptions.defaults().withFileSha256(true));
            SafetensorsHeader h = SafetensorsReader.readHeader(p);
            FileManifest fm = m.files().get(0);
            check(failures, r.file + " size", r.bytes, fm.size());
            check(failures, r.file + " sha256", r.sha256, fm.sha256());
            check(failures, r.file + " n", fact(r.facts, "n"), h.headerLength());
            check(failures, r.file + " data_start", fact(r.facts, "data_start"), h.dataStart());
            check(failures, r.file + " tensors", fact(r.facts, "tensors"), (long) m.tensors().size());
            Matcher dt = Pattern.compile("'dtypes': \\[([^\\]]*)\\]").matcher(r.facts);
            assertTrue(dt.find());
            TreeSet<String> want = new TreeSet<>(List.of(dt.group(1).replace("'", "").split(", ")));
            TreeSet<String> got = new TreeSet<>();
            m.tensors().forEach(t -> got.add(t.dtype()));
            check(failures, r.file + " dtypes", want, got);
            Matcher t = Pattern.compile("\\('([^']+)', '([A-Z0-9_]+)', \\[([0-9, ]*)\\], \\[(\\d+), (\\d+)\\]\\)").matcher(r.facts);
            int firsts = 0;
            while (t.find()) {
                firsts++;
                TensorManifest tm = m.tensor(t.group(1)).orElse(null);
                if (tm == null) {
                    failures.add(r.file + ": missing " + t.group(1));
                    continue;
                }
                check(failures, r.file + " " + tm.name() + " dtype", t.group(2), tm.dtype());
                List<Long> shape = new ArrayList<>();
                for (String s : t.group(3).split(", ")) if (!s.isBlank()) shape.add(Long.parseLong(s.trim()));
                check(failures, r.file + " " + tm.name() + " shape", shape, tm.shape());
                check(failures, r.file + " " + tm.name() + " begin", Long.parseLong(t.group(4)), tm.begin());
                check(failures, r.file + " " + tm.name() + " end", Long.parseLong(t.group(5)), tm.end());
            }
            assertTrue(firsts >= 1, "no tensor tuples parsed for " + r.file);
            // the Merkle root changes when the header digest or any tensor digest does; the tensor digests
            // here are re-derived independently from the raw bytes
            byte[] all = Files.readAllBytes(p);
            for (TensorManifest tm : m.tensors()) {
                byte[] raw = java.util.Arrays.copyOfRange(all, (int) (h.dataStart() + tm.begin()), (int) (h.dataStart() + tm.end()));
                check(failures, r.file + " " + tm.name() + " sha256", org.trainproof.bytes.Digest.sha256(raw).toString(), tm.sha256());
            }
        }
        assertEquals(4, checked, "valid safetensors rows in MANIFEST.tsv");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void check(List<String> failures, String what, Object want, Object got) {
        if (!want.equals(got)) failures.add(what + ": want " + want + " got " + got);
    }

    @Test
    void listedValues_decodeAsManifestSays() throws IOException {
        assumeTrue(Files.isDirectory(FORMATS.resolve("safetensors")), "shared real data absent");
        Path st = FORMATS.resolve("safetensors");
        double[] bias = TensorValues.read(st.resolve("burn_multi_layer.safetensors"), "conv1.bias");
        double[] want = {0.131916, 0.039882, 0.061896, 0.143752};
        for (int i = 0; i < 4; i++) assertEquals(want[i], bias[i], 1e-6);
        CheckpointManifest multi = Manifests.of(st.resolve("burn_multi_layer.safetensors"));
        // small 1-D tensors carry their exact values; the 0-rank counter is 1
        assertEquals(bias.length, multi.tensor("conv1.bias").orElseThrow().values().size());
        assertEquals(List.of(1.0), multi.tensor("norm1.num_batches_tracked").orElseThrow().values());

        CheckpointManifest jfk = Manifests.of(st.resolve("candle_jfk-codes.safetensors"));
        TensorStats codes = jfk.tensor("codes").orElseThrow().stats();
        assertEquals(960640.0, codes.mean() * codes.count(), 1e-6);
        double[] first = TensorValues.read(st.resolve("candle_jfk-codes.safetensors"), "codes");
        assertEquals(865, first[0]);
        assertEquals(62, first[1]);
        assertEquals(408, first[2]);

        CheckpointManifest voices = Manifests.of(st.resolve("candle_voices.safetensors"));
        TensorStats mask = voices.tensor("mask").orElseThrow().stats();
        assertEquals(24294.0, mask.mean() * mask.count(), 1e-6);
        assertEquals(1 * 982 * 33, mask.count());
    }

    @Test
    void invalidFile_rejectedWithListedRule() throws IOException {
        int checked = 0;
        for (Row r : rows()) {
            if (!r.format.contains("INVALID")) continue;
            checked++;
            Path p = FORMATS.resolve(r.file);
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> Manifests.of(p));
            String want = r.facts.split(" ")[1]; // "ERR InvalidHeaderLength ..."
            assertEquals(want, e.rule().referenceName());
            assertTrue(e.getMessage().contains(r.file.substring(r.file.lastIndexOf('/') + 1)), e.getMessage());
        }
        assertEquals(1, checked);
    }
}
