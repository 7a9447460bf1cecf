package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.bytes.Digest;

class ManifestsTest {
    @TempDir
    Path dir;

    private Path model(String name, long seed) throws IOException {
        Random r = new Random(seed);
        double[] w = new double[3 * 1007];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian() * 0.02;
        double[] g = new double[64];
        java.util.Arrays.fill(g, 1.0);
        double[] b = new double[50];
        for (int i = 0; i < b.length; i++) b[i] = r.nextGaussian();
        b[3] = Double.NaN;
        b[4] = Double.POSITIVE_INFINITY;
        b[5] = 0.0;
        Path p = dir.resolve(name);
        new SafetensorsWriter()
                .tensor("w", Dtype.BF16, new long[] {3, 1007}, w)
                .tensor("ln.weight", Dtype.F32, new long[] {64}, g)
                .tensor("odd", Dtype.F64, new long[] {50}, b)
                .tensor("empty", Dtype.F32, new long[] {0, 4}, new double[0])
                .write(p);
        return p;
    }

    @Test
    void stats_matchNaiveComputationOverDecodedValues() throws IOException {
        Path p = model("m.safetensors", 1);
        CheckpointManifest m = Manifests.of(p);
        for (String name : List.of("w", "ln.weight", "odd")) {
            double[] v = TensorValues.read(p, name);
            long nan = 0, pos = 0, neg = 0, zeros = 0, n = 0;
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double x : v) {
                if (Double.isNaN(x)) nan++;
                else if (x == Double.POSITIVE_INFINITY) pos++;
                else if (x == Double.NEGATIVE_INFINITY) neg++;
                else {
                    n++;
                    sum += x;
                    min = Math.min(min, x);
                    max = Math.max(max, x);
                    if (x == 0) zeros++;
                }
            }
            double mean = sum / n, ss = 0, sq = 0;
            for (double x : v) {
                if (Double.isFinite(x)) {
                    ss += (x - mean) * (x - mean);
                    sq += x * x;
                }
            }
            TensorStats s = m.tensor(name).orElseThrow().stats();
            assertEquals(v.length, s.count(), name);
            assertEquals(nan, s.nan(), name);
            assertEquals(pos, s.posInf(), name);
            assertEquals(neg, s.negInf(), name);
            assertEquals(zeros, s.zeros(), name);
            assertEquals(mean, s.mean(), 1e-12 * (1 + Math.abs(mean)), name);
            assertEquals(Math.sqrt(ss / n), s.std(), 1e-12, name);
            assertEquals(min, s.min(), name);
            assertEquals(max, s.max(), name);
            assertEquals(Math.sqrt(sq), s.l2(), 1e-9 * Math.sqrt(sq), name);
        }
        assertEquals(List.of(64L), m.tensor("ln.weight").orElseThrow().shape());
        assertEquals(64, m.tensor("ln.weight").orElseThrow().values().size());
        assertNull(m.tensor("odd").orElseThrow().values(), "values with NaN/Inf are not recorded (JSON has no NaN)");
        assertNull(m.tensor("w").orElseThrow().values(), "2-D tensors carry no exact values");
        TensorStats empty = m.tensor("empty").orElseThrow().stats();
        assertEquals(0, empty.count());
        assertNull(empty.mean());
        assertEquals(Digest.sha256(new byte[0]).toString(), m.tensor("empty").orElseThrow().sha256());
    }

    @Test
    void sample_holdsValuesAtNameSeededPositions() throws IOException {
        Path p = model("m.safetensors", 2);
        TensorManifest t = Manifests.of(p).tensor("w").orElseThrow();
        long[] pos = CoordinateSample.positions("w", t.count(), 256);
        double[] all = TensorValues.read(p, "w");
        double[] got = t.sample().values();
        assertEquals(256, got.length);
        for (int i = 0; i < pos.length; i++) assertEquals(all[(int) pos[i]], got[i]);
    }

    @Test
    void chunkingAndThreads_doNotChangeDigestsSamplesOrCounts() throws IOException {
        Path p = model("m.safetensors", 3);
        CheckpointManifest big = Manifests.of(p, ManifestOptions.defaults().withThreads(1));
        CheckpointManifest small = Manifests.of(p, ManifestOptions.defaults().withChunkBytes(48).withThreads(2));
        CheckpointManifest again = Manifests.of(p, ManifestOptions.defaults().withChunkBytes(48).withThreads(2));
        assertEquals(small, again, "deterministic for a given chunk size");
        assertEquals(big.root(), small.root());
        for (TensorManifest a : big.tensors()) {
            TensorManifest b = small.tensor(a.name()).orElseThrow();
            assertEquals(a.sha256(), b.sha256());
            if (a.stats() == null) continue;
            assertEquals(a.sample(), b.sample());
            assertEquals(a.stats().count(), b.stats().count());
            assertEquals(a.stats().nan(), b.stats().nan());
            if (a.stats().mean() != null) {
                assertEquals(a.stats().mean(), b.stats().mean(), 1e-12);
                assertEquals(a.stats().std(), b.stats().std(), 1e-12);
            }
            double[] x = a.sketch().buckets(), y = b.sketch().buckets();
            for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-5 * (1 + Math.abs(x[i])));
        }
    }

    @Test
    void merkleRoot_isRfc9162OverHeaderThenTensorDigests() throws IOException {
        Path p = model("m.safetensors", 4);
        CheckpointManifest m = Manifests.of(p);
        FileManifest f = m.files().get(0);
        // 5 leaves: header, then 4 tensors in offset order; MTH(5) = node(node(node(l0,l1),node(l2,l3)), l4)
        List<TensorManifest> ts = m.tensors();
        for (int i = 1; i < ts.size(); i++) assertTrue(ts.get(i - 1).begin() <= ts.get(i).begin());
        byte[][] leaf = new byte[5][];
        leaf[0] = leafHash(Digest.parse(f.headerSha256()));
        for (int i = 0; i < 4; i++) leaf[i + 1] = leafHash(Digest.parse(ts.get(i).sha256()));
        byte[] want = node(node(node(leaf[0], leaf[1]), node(leaf[2], leaf[3])), leaf[4]);
        assertEquals(Digest.of(want).toString(), f.root());
        assertEquals(f.root(), m.root());
    }

    static byte[] leafHash(Digest d) {
        byte[] b = new byte[33];
        System.arraycopy(d.toByteArray(), 0, b, 1, 32);
        return Digest.sha256(b).toByteArray();
    }

    static byte[] node(byte[] l, byte[] r) {
        byte[] b = new byte[65];
        b[0] = 1;
        System.arraycopy(l, 0, b, 1, 32);
        System.arraycopy(r, 0, b, 33, 32);
        return Digest.sha256(b).toByteArray();
    }

    @Test
    void tamperedByte_changesExactlyOneTensorDigest() throws IOException {
        Path p = model("m.safetensors", 5);
        CheckpointManifest before = Manifests.of(p);
        byte[] bytes = Files.readAllBytes(p);
        SafetensorsHeader h = SafetensorsReader.readHeader(p);
        TensorManifest target = before.tensor("ln.weight").orElseThrow();
        bytes[(int) (h.dataStart() + target.begin() + 5)] ^= 1;
        Path q = dir.resolve("tampered.safetensors");
        Files.write(q, bytes);
        CheckpointManifest after = Manifests.of(q, ManifestOptions.defaults().withFileSha256(true));
        assertNotEquals(before.root(), after.root());
        for (TensorManifest t : before.tensors()) {
            boolean same = t.sha256().equals(after.tensor(t.name()).orElseThrow().sha256());
            assertEquals(!t.name().equals("ln.weight"), same, t.name());
        }
        assertEquals(before.files().get(0).headerSha256(), after.files().get(0).headerSha256());
        assertEquals(Digest.sha256(bytes).toString(), after.files().get(0).sha256());
    }

    @Test
    void subByteTypes_decodedLowBitsFirst() throws IOException {
        // F4 codes 0x1 (0.5) then 0x7 (6.0) in one byte 0x71; 0xA = -1.0, 0x0 = 0 in 0x0A
        byte[] data = {0x71, 0x0A};
        Path p = dir.resolve("f4.safetensors");
        Files.write(p, SafetensorsReaderTest.cat(SafetensorsReaderTest.file(
                "{\"x\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]}}", 0), data));
        assertArrayEquals(new double[] {0.5, 6.0, -1.0, 0.0}, TensorValues.read(p, "x"));
        assertEquals(5.5 / 4, Manifests.of(p).tensor("x").orElseThrow().stats().mean(), 1e-15);
        // F6_E3M2: 4 codes in 3 bytes, LSB-first bit stream: 0b001100 (1.0), 0b011111 (28), 0b100100 (-0.25... ), 0
        int c0 = 0b001100, c1 = 0b011111, c2 = 0b101000, c3 = 0;
        int bits = c0 | (c1 << 6) | (c2 << 12) | (c3 << 18);
        Path q = dir.resolve("f6.safetensors");
        Files.write(q, SafetensorsReaderTest.cat(SafetensorsReaderTest.file(
                "{\"x\":{\"dtype\":\"F6_E3M2\",\"shape\":[4],\"data_offsets\":[0,3]}}", 0),
                new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16)}));
        assertArrayEquals(new double[] {1.0, 28.0, -0.5, 0.0}, TensorValues.read(q, "x"));
    }

    @Test
    void shardedIndex_manifestCoversAllShardsAndRejectsEscapes() throws IOException {
        Path d = Files.createDirectory(dir.resolve("ckpt"));
        new SafetensorsWriter().tensor("a", Dtype.F32, new long[] {2}, new double[] {1, 2}).write(d.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().tensor("b", Dtype.F32, new long[] {3}, new double[] {3, 4, 5}).write(d.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(d.resolve("model.safetensors.index.json"), "{\"metadata\":{\"total_size\":20},\"weight_map\":"
                + "{\"b\":\"model-00002-of-00002.safetensors\",\"a\":\"model-00001-of-00002.safetensors\"}}");
        CheckpointManifest m = Manifests.of(d);
        assertEquals(2, m.files().size());
        assertEquals("model-00001-of-00002.safetensors", m.files().get(0).path());
        assertEquals(List.of("a", "b"), m.tensors().stream().map(TensorManifest::name).toList());
        byte[] l0 = leafHash(Digest.parse(m.files().get(0).root()));
        byte[] l1 = leafHash(Digest.parse(m.files().get(1).root()));
        assertEquals(Digest.of(node(l0, l1)).toString(), m.root());
        assertEquals(m, Manifests.of(d.resolve("model.safetensors.index.json")));

        for (String bad : List.of("../x.safetensors", "/etc/passwd", "sub/x.safetensors", "..")) {
            Files.writeString(d.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"" + bad + "\"}}");
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> Manifests.of(d));
            assertEquals(SafetensorsRule.PATH_ESCAPE, e.rule(), bad);
        }
        Files.writeString(d.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\"}}");
        // shard 1 is fine, shard 2 is not referenced: only shard 1 is read; now map b to the wrong shard
        Files.writeString(d.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00001-of-00002.safetensors\"}}");
        assertEquals(SafetensorsRule.INVALID_INDEX, assertThrows(SafetensorsFormatException.class, () -> Manifests.of(d)).rule());
        Files.writeString(d.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"missing.safetensors\"}}");
        assertEquals(SafetensorsRule.INVALID_INDEX, assertThrows(SafetensorsFormatException.class, () -> Manifests.of(d)).rule());
        Files.writeString(d.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"a\":\"model-00002-of-00002.safetensors\"}}");
        assertEquals(SafetensorsRule.INVALID_INDEX, assertThrows(SafetensorsFormatException.class, () -> Manifests.of(d)).rule());
    }

    @Test
    void changedFile_truncatedShard_isBadInputNotCrash() throws IOException {
        Path p = model("m.safetensors", 6);
        byte[] b = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(b, b.length - 1));
        assertEquals(SafetensorsRule.METADATA_INCOMPLETE_BUFFER,
                assertThrows(SafetensorsFormatException.class, () -> Manifests.of(p)).rule());
    }
}
