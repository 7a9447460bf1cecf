package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CountSketch estimates of ⟨A, B⟩ and ‖A − B‖² from manifests alone against the exact values
 * computed from the files, on real tensors (burn mnist fc1.weight, 371,712 F32 values) and real
 * derived partners, within 4σ of the documented bound σ = √((‖a‖²‖b‖² + ⟨a,b⟩²)/width) of the default
 * {@code tp-countsketch-v3} sketch (width 512, depth 1). (For ‖A − B‖² = ⟨d, d⟩ the bound is
 * √(2‖d‖⁴/width).) Hashes are fixed by the tensor name,
 * so the outcome is deterministic; a broken estimator or hashing fails it. A second test uses the
 * layout that a bucket fixed by position alone (i mod width, no rotation) gets wrong: all the update's
 * mass in a few columns of 4096-wide rows (outlier features).
 */
class SketchAccuracyTest {
    @TempDir
    Path dir;

    @Test
    void sketchEstimates_withinDocumentedBound_onRealTensors() throws IOException {
        Path st = RealSafetensorsTest.FORMATS.resolve("safetensors");
        assumeTrue(Files.isDirectory(st), "shared real data absent");
        double[] a = TensorValues.read(st.resolve("burn_mnist.safetensors"), "fc1.weight");
        double[] other = TensorValues.read(st.resolve("burn_multi_layer.safetensors"), "fc1.weight");
        int n = a.length;
        // partners: a fine-tuned-like update (a + 0.1·real weights of another model), an unrelated real
        // tensor (cycled), and a shifted copy of a itself
        double[][] partners = new double[3][n];
        for (int i = 0; i < n; i++) {
            partners[0][i] = a[i] + 0.1 * other[i % other.length];
            partners[1][i] = other[i % other.length];
            partners[2][i] = a[(i + 1000) % n];
        }
        CheckpointManifest ma = write("a.safetensors", a);
        TensorSketch sa = ma.tensor("fc1.weight").orElseThrow().sketch();
        assertEquals(TensorSketch.DEFAULT_WIDTH, sa.width());
        assertEquals(1, sa.depth());
        double wd = sa.width();
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < partners.length; k++) {
            double[] b = partners[k];
            TensorSketch sb = write("b" + k + ".safetensors", b).tensor("fc1.weight").orElseThrow().sketch();
            double ip = 0, na = 0, nb = 0, dd = 0;
            for (int i = 0; i < n; i++) {
                double x = (float) a[i], y = (float) b[i]; // the files hold F32
                ip += x * y;
                na += x * x;
                nb += y * y;
                dd += (x - y) * (x - y);
            }
            double estIp = sa.innerProduct(sb);
            double sigmaIp = Math.sqrt((na * nb + ip * ip) / wd);
            if (Math.abs(estIp - ip) > 4 * sigmaIp) failures.add("partner " + k + " <A,B>: est " + estIp + " exact " + ip + " sigma " + sigmaIp);
            double estD = sa.squaredDistance(sb);
            double sigmaD = Math.sqrt(2 * dd * dd / wd);
            if (Math.abs(estD - dd) > 4 * sigmaD) failures.add("partner " + k + " |A-B|^2: est " + estD + " exact " + dd + " sigma " + sigmaD);
            // the documented sigma helper agrees with the formula used here
            double helper = sa.innerProductSigma(Math.sqrt(na), Math.sqrt(nb), ip);
            if (Math.abs(helper - sigmaIp) > 1e-9 * sigmaIp) failures.add("innerProductSigma disagrees");
        }
        // self: the estimate of ‖A‖² has the same bound
        double na = 0;
        for (double x : a) na += x * x;
        double self = sa.innerProduct(sa);
        if (Math.abs(self - na) > 4 * Math.sqrt(2 * na * na / wd)) failures.add("|A|^2: est " + self + " exact " + na);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void v3_staysWithinBound_whenMassSitsInFewColumns_unlikeAnUnrotatedPositionBucket() {
        // 256 rows × 4096 columns; the "update" d is nonzero only in columns 7 and 519 (≡ 7 mod 512),
        // so with bucket = i mod 512 all of it would share one bucket across every row
        int rows = 256, cols = 4096, n = rows * cols;
        java.util.Random r = new java.util.Random(5);
        double[] d = new double[n];
        for (int row = 0; row < rows; row++) {
            d[row * cols + 7] = 1 + 0.1 * r.nextGaussian();
            d[row * cols + 519] = 1 + 0.1 * r.nextGaussian();
        }
        double dd = 0;
        for (double x : d) dd += x * x;
        double sigma = Math.sqrt(2 * dd * dd / 512);
        TensorSketch.Builder b = new TensorSketch.Builder("layers.0.mlp.weight", 512);
        b.addBlock(0, d, n);
        TensorSketch s = b.build();
        double est = s.innerProduct(s);
        assertTrue(Math.abs(est - dd) <= 4 * sigma, "v3 |d|^2: est " + est + " exact " + dd + " sigma " + sigma);
        // the unrotated position bucket, for contrast: one bucket holds Σ ± d_i over 512 elements; its
        // estimate's error is of order ‖d‖² itself, far beyond the bound (checked over 8 tensor names)
        int outside = 0;
        for (int k = 0; k < 8; k++) {
            long seed = Seeds.seed("sketch", "t" + k);
            double[] bk = new double[512];
            for (int i = 0; i < n; i++) {
                if (d[i] == 0) continue;
                boolean neg = (Seeds.mix64(seed + (i / 64 + 1) * Seeds.GOLDEN_GAMMA) >>> (i % 64) & 1) != 0;
                bk[i % 512] += neg ? -d[i] : d[i];
            }
            double e = 0;
            for (double x : bk) e += x * x;
            if (Math.abs(e - dd) > 4 * sigma) outside++;
        }
        assertTrue(outside >= 4, "unrotated buckets outside 4 sigma in " + outside + " of 8");
    }

    private CheckpointManifest write(String name, double[] v) throws IOException {
        Path p = dir.resolve(name);
        new SafetensorsWriter().tensor("fc1.weight", Dtype.F32, new long[] {32, 11616}, v).write(p);
        return Manifests.of(p);
    }
}
