package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.TrainproofException;

/**
 * {@link TensorValues#gather} (selected rows read, selected columns decoded) against indexing the
 * whole tensor as {@link TensorValues#read} decodes it: on the real BF16 fixture (written by torch),
 * on F32/F64/BF16 files with several rows per read, on rows longer than one read chunk (the streaming
 * fallback), with and without row and column subsets.
 */
class TensorGatherTest {
    @TempDir
    Path tmp;

    private static void check(Path file, String name, int nr, int nc, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        check(file, name, nr, nc, new int[][] {null, subset(nr, rng), new int[] {0}, new int[] {nr - 1}},
                new int[][] {null, subset(nc, rng), new int[] {nc - 1}});
    }

    private static void check(Path file, String name, int nr, int nc, int[][] rowSets, int[][] colSets) {
        double[] all = TensorValues.read(file, name);
        for (int[] rows : rowSets) {
            for (int[] cols : colSets) {
                double[][] g = TensorValues.gather(file, name, rows, cols);
                int[] r = rows == null ? IntStream.range(0, nr).toArray() : rows;
                int[] c = cols == null ? IntStream.range(0, nc).toArray() : cols;
                assertEquals(r.length, g.length, name);
                for (int i = 0; i < r.length; i++) {
                    assertEquals(c.length, g[i].length, name);
                    for (int j = 0; j < c.length; j++) {
                        long want = Double.doubleToRawLongBits(all[r[i] * nc + c[j]]);
                        if (want != Double.doubleToRawLongBits(g[i][j])) {
                            assertEquals(all[r[i] * nc + c[j]], g[i][j], name + "[" + r[i] + "][" + c[j] + "]");
                            assertEquals(want, Double.doubleToRawLongBits(g[i][j]), name + "[" + r[i] + "][" + c[j] + "] bits");
                        }
                    }
                }
            }
        }
    }

    private static int[] subset(int n, SplittableRandom rng) {
        int[] s = IntStream.range(0, n).filter(i -> rng.nextInt(3) == 0).toArray();
        return s.length == 0 ? new int[] {n / 2} : s;
    }

    @Test
    void realBf16FixtureEqualsWholeTensorIndexing() {
        Path f = Path.of("fixtures/scratch-bf16-hf/step-100.safetensors");
        check(f, "fc1.weight", 128, 128, 1);
        check(f, "fc2.weight", 32, 128, 2);
        check(f, "embed.weight", 64, 32, 3);
    }

    @Test
    void manyRowsPerReadAndRowsLongerThanAChunk() throws Exception {
        int chunk = ManifestOptions.DEFAULT_CHUNK_BYTES;
        int wideCols = chunk / 2 + 3; // one BF16 row is longer than a chunk: the streaming fallback
        SplittableRandom rng = new SplittableRandom(7);
        double[] small = rng.doubles(3000L * 40, -2, 2).toArray();
        double[] wide = rng.doubles(2L * wideCols, -2, 2).toArray();
        small[5] = Double.NaN;
        small[77] = Double.POSITIVE_INFINITY;
        Path f = tmp.resolve("g.safetensors");
        new SafetensorsWriter()
                .tensor("small", Dtype.F32, new long[] {3000, 40}, small)
                .tensor("wide", Dtype.BF16, new long[] {2, wideCols}, wide)
                .tensor("f64", Dtype.F64, new long[] {700, 9}, rng.doubles(700L * 9).toArray())
                .write(f);
        check(f, "small", 3000, 40, 4);
        check(f, "f64", 700, 9, 6);
        SplittableRandom r5 = new SplittableRandom(5);
        check(f, "wide", 2, wideCols, new int[][] {null, {1}}, new int[][] {subset(wideCols, r5), {0, wideCols - 1}});
    }

    @Test
    void notTwoDimensionalOrMissingIsAnError() throws Exception {
        Path f = tmp.resolve("v.safetensors");
        new SafetensorsWriter().tensor("v", Dtype.F32, new long[] {4}, new double[] {1, 2, 3, 4}).write(f);
        assertThrows(IllegalArgumentException.class, () -> TensorValues.gather(f, "v", null, null));
        assertThrows(TrainproofException.class, () -> TensorValues.gather(f, "nope", null, null));
    }
}
