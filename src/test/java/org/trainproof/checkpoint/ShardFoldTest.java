package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/**
 * The fold of shard manifests against the manifest of the same tensors written as one file: sample,
 * exact values, counts, min and max equal; mean/std/l2 and sketch equal up to rounding; digests differ
 * by construction (a split tensor's digest is the root over its slices' digests). Tamper probes named
 * after the broken invariant assert the refusal's exit code and that it names the tensor or rank.
 */
class ShardFoldTest {
    @TempDir
    Path dir;

    static final int ROWS = 64, COLS = 40, BIAS = 30;

    /** W [64,40] F32, E [64,40] BF16 (both row-split), B [30] F32 (split 0..12 | 12..30), C [8,40] column-split, LN [40] on rank 0. */
    record Model(double[] w, double[] e, double[] b, double[] c, double[] ln) {
        static Model random(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            double[] w = new double[ROWS * COLS], e = new double[ROWS * COLS], b = new double[BIAS], c = new double[8 * COLS], ln = new double[COLS];
            for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * 0.02);
            for (int i = 0; i < e.length; i++) e[i] = i % 17 == 0 ? 0.0 : (float) r.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
            for (int i = 0; i < ln.length; i++) ln[i] = 1.0;
            return new Model(w, e, b, c, ln);
        }
    }

    static double[] rows(double[] a, int cols, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from * cols, to * cols);
    }

    static double[] cols(double[] a, int rows, int cols, int from, int to) {
        double[] out = new double[rows * (to - from)];
        for (int i = 0; i < rows; i++) for (int j = from; j < to; j++) out[i * (to - from) + j - from] = a[i * cols + j];
        return out;
    }

    static Path whole(Path dir, Model m) throws IOException {
        Path p = dir.resolve("whole.safetensors");
        new SafetensorsWriter()
                .tensor("W", Dtype.F32, new long[] {ROWS, COLS}, m.w())
                .tensor("E", Dtype.BF16, new long[] {ROWS, COLS}, m.e())
                .tensor("B", Dtype.F32, new long[] {BIAS}, m.b())
                .tensor("C", Dtype.F32, new long[] {8, COLS}, m.c())
                .tensor("LN", Dtype.F32, new long[] {COLS}, m.ln())
                .write(p);
        return p;
    }

    static String slices(int r) {
        int w0 = r == 0 ? 0 : 24, b0 = r == 0 ? 0 : 12, c0 = r == 0 ? 0 : 16;
        return "{\"W\":{\"offsets\":[" + w0 + ",0],\"global_shape\":[64,40]},"
                + "\"E\":{\"offsets\":[" + w0 + ",0],\"global_shape\":[64,40]},"
                + "\"B\":{\"offsets\":[" + b0 + "],\"global_shape\":[30]},"
                + "\"C\":{\"offsets\":[0," + c0 + "],\"global_shape\":[8,40]}}";
    }

    /** Rank 0: W/E rows 0..24, B 0..12, C columns 0..16, LN; rank 1: W/E rows 24..64, B 12..30, C columns 16..40. */
    static List<Path> shards(Path dir, Model m, String slices0, String slices1) throws IOException {
        Path r0 = dir.resolve("rank0.safetensors"), r1 = dir.resolve("rank1.safetensors");
        new SafetensorsWriter().metadata(TensorSlice.METADATA_KEY, slices0)
                .tensor("W", Dtype.F32, new long[] {24, COLS}, rows(m.w(), COLS, 0, 24))
                .tensor("E", Dtype.BF16, new long[] {24, COLS}, rows(m.e(), COLS, 0, 24))
                .tensor("B", Dtype.F32, new long[] {12}, java.util.Arrays.copyOfRange(m.b(), 0, 12))
                .tensor("C", Dtype.F32, new long[] {8, 16}, cols(m.c(), 8, COLS, 0, 16))
                .tensor("LN", Dtype.F32, new long[] {COLS}, m.ln())
                .write(r0);
        new SafetensorsWriter().metadata(TensorSlice.METADATA_KEY, slices1)
                .tensor("W", Dtype.F32, new long[] {40, COLS}, rows(m.w(), COLS, 24, 64))
                .tensor("E", Dtype.BF16, new long[] {40, COLS}, rows(m.e(), COLS, 24, 64))
                .tensor("B", Dtype.F32, new long[] {18}, java.util.Arrays.copyOfRange(m.b(), 12, 30))
                .tensor("C", Dtype.F32, new long[] {8, 24}, cols(m.c(), 8, COLS, 16, 40))
                .write(r1);
        return List.of(r0, r1);
    }

    static List<ShardFold.Shard> manifests(List<Path> files, int world) {
        List<ShardFold.Shard> out = new ArrayList<>();
        for (int r = 0; r < files.size(); r++) {
            out.add(new ShardFold.Shard("rank" + r + ".json", Manifests.of(files.get(r)).asShard(r, world, "host" + r)));
        }
        return out;
    }

    @Test
    void fold_twoRanks_matchesSingleFileManifest() throws IOException {
        Model m = Model.random(7);
        CheckpointManifest single = Manifests.of(whole(dir, m));
        CheckpointManifest folded = ShardFold.fold(manifests(shards(dir, m, slices(0), slices(1)), 2));
        assertEquals(2, folded.worldSize());
        assertNull(folded.rank());
        assertEquals(List.of(0, 1), folded.files().stream().map(FileManifest::rank).toList());
        assertEquals(List.of("W", "E", "B", "C", "LN"), folded.tensors().stream().map(TensorManifest::name).sorted(
                java.util.Comparator.comparing(n -> List.of("W", "E", "B", "C", "LN").indexOf(n))).toList());
        assertEquals(single.tensors().size(), folded.tensors().size());
        for (TensorManifest s : single.tensors()) {
            TensorManifest f = folded.tensor(s.name()).orElseThrow();
            assertEquals(s.shape(), f.shape(), s.name());
            assertEquals(s.dtype(), f.dtype(), s.name());
            TensorStats a = s.stats(), b = f.stats();
            assertEquals(a.count(), b.count(), s.name());
            assertEquals(a.zeros(), b.zeros(), s.name());
            assertEquals(a.min(), b.min(), s.name());
            assertEquals(a.max(), b.max(), s.name());
            assertEquals(a.mean(), b.mean(), 1e-12 * Math.max(1, Math.abs(a.mean())), s.name());
            assertEquals(a.std(), b.std(), 1e-12 * a.std(), s.name());
            assertEquals(a.l2(), b.l2(), 1e-12 * a.l2(), s.name());
            assertEquals(s.values(), f.values(), s.name());
            if (s.name().equals("C")) {
                // column slices are not contiguous runs of the flat tensor: no global sample/sketch positions
                assertNull(f.sample(), "C sample");
                assertNull(f.sketch(), "C sketch");
                continue;
            }
            assertArrayEquals(s.sample().values(), f.sample().values(), s.name() + " sample");
            double[] sb = s.sketch().buckets(), fb = f.sketch().buckets();
            for (int i = 0; i < sb.length; i++) assertEquals(sb[i], fb[i], 1e-5 * (1 + Math.abs(sb[i])), s.name() + " bucket " + i);
        }
        TensorManifest w = folded.tensor("W").orElseThrow();
        assertEquals(2, w.slices().size());
        assertNull(w.file());
        assertEquals(List.of(24L, 0L), w.slices().get(1).offsets());
        assertEquals(Manifests.merkleRoot(List.of(org.trainproof.bytes.Digest.parse(w.slices().get(0).sha256()),
                org.trainproof.bytes.Digest.parse(w.slices().get(1).sha256()))).toString(), w.sha256());
        TensorManifest ln = folded.tensor("LN").orElseThrow();
        assertEquals(single.tensor("LN").orElseThrow().sha256(), ln.sha256(), "a whole tensor keeps its digest");
        assertEquals("rank0.safetensors", ln.file());
    }

    @Test
    void fold_rootIsMerkleRootOverShardRootsInRankOrder() throws IOException {
        List<ShardFold.Shard> s = manifests(shards(dir, Model.random(3), slices(0), slices(1)), 2);
        CheckpointManifest folded = ShardFold.fold(List.of(s.get(1), s.get(0)));
        var expected = Manifests.merkleRoot(List.of(org.trainproof.bytes.Digest.parse(s.get(0).manifest().root()),
                org.trainproof.bytes.Digest.parse(s.get(1).manifest().root())));
        assertEquals(expected.toString(), folded.root());
        assertEquals(folded, ShardFold.fold(s), "input order does not matter");
    }

    private static TrainproofException refused(List<ShardFold.Shard> s) {
        TrainproofException e = assertThrows(TrainproofException.class, () -> ShardFold.fold(s));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode(), e.getMessage());
        return e;
    }

    @Test
    void overlappingSlices_refused() throws IOException {
        String overlap = slices(1).replace("\"W\":{\"offsets\":[24,0]", "\"W\":{\"offsets\":[20,0]");
        // rank 1's W rows 20..60 overlap rank 0's 0..24 (and rows 60..64 are missing: overlap is reported first)
        var e = refused(manifests(shards(dir, Model.random(1), slices(0), overlap), 2));
        assertTrue(e.getMessage().contains("'W'") && e.getMessage().contains("overlaps"), e.getMessage());
    }

    @Test
    void missingSlice_refused() throws IOException {
        String gap = slices(1).replace("\"B\":{\"offsets\":[12],\"global_shape\":[30]}", "\"B\":{\"offsets\":[12],\"global_shape\":[31]}");
        String gap0 = slices(0).replace("\"global_shape\":[30]", "\"global_shape\":[31]");
        var e = refused(manifests(shards(dir, Model.random(1), gap0, gap), 2));
        assertTrue(e.getMessage().contains("'B'") && e.getMessage().contains("30 of its 31"), e.getMessage());
    }

    @Test
    void missingRank_refused() throws IOException {
        List<ShardFold.Shard> s = manifests(shards(dir, Model.random(1), slices(0), slices(1)), 3);
        var e = refused(s);
        assertTrue(e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void duplicateRank_refused() throws IOException {
        List<Path> f = shards(dir, Model.random(1), slices(0), slices(1));
        var e = refused(List.of(new ShardFold.Shard("a.json", Manifests.of(f.get(0)).asShard(0, 2, "h")),
                new ShardFold.Shard("b.json", Manifests.of(f.get(1)).asShard(0, 2, "h"))));
        assertTrue(e.getMessage().contains("a.json"), e.getMessage());
    }

    @Test
    void worldSizeDisagrees_refused() throws IOException {
        List<Path> f = shards(dir, Model.random(1), slices(0), slices(1));
        refused(List.of(new ShardFold.Shard("a.json", Manifests.of(f.get(0)).asShard(0, 2, "h")),
                new ShardFold.Shard("b.json", Manifests.of(f.get(1)).asShard(1, 3, "h"))));
    }

    @Test
    void notAShardManifest_refused() throws IOException {
        List<Path> f = shards(dir, Model.random(1), slices(0), slices(1));
        refused(List.of(new ShardFold.Shard("a.json", Manifests.of(f.get(0)))));
    }

    @Test
    void unslicedTensorOnTwoRanks_refused() throws IOException {
        Model m = Model.random(1);
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        new SafetensorsWriter().tensor("LN", Dtype.F32, new long[] {COLS}, m.ln()).write(a);
        new SafetensorsWriter().tensor("LN", Dtype.F32, new long[] {COLS}, m.ln()).write(b);
        var e = refused(List.of(new ShardFold.Shard("a.json", Manifests.of(a).asShard(0, 2, "h")),
                new ShardFold.Shard("b.json", Manifests.of(b).asShard(1, 2, "h"))));
        assertTrue(e.getMessage().contains("'LN'"), e.getMessage());
    }

    @Test
    void sameFileNameOnTwoRanks_refused() throws IOException {
        List<Path> f = shards(dir, Model.random(1), slices(0), slices(1));
        CheckpointManifest m1 = Manifests.of(f.get(1)).asShard(1, 2, "h");
        List<FileManifest> renamed = m1.files().stream().map(x -> new FileManifest("rank0.safetensors", x.size(), x.headerSha256(), x.root(),
                x.sha256(), x.metadata())).toList();
        refused(List.of(new ShardFold.Shard("a.json", Manifests.of(f.get(0)).asShard(0, 2, "h")),
                new ShardFold.Shard("b.json", new CheckpointManifest(m1.format(), m1.root(), renamed, m1.tensors(), 1, 2, "h"))));
    }

    @Test
    void sliceOutsideGlobalShape_refusedWhenReadingTheShard() throws IOException {
        String bad = slices(1).replace("\"W\":{\"offsets\":[24,0]", "\"W\":{\"offsets\":[30,0]");
        List<Path> f = shards(dir, Model.random(1), slices(0), bad);
        TrainproofException e = assertThrows(TrainproofException.class, () -> Manifests.of(f.get(1)));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertNotNull(e.getMessage());
    }
}
