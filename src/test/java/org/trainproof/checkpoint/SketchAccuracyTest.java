package org.trainproof.checkpoint;

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
 * derived partners, within 4σ of the documented bound σ = √((‖a‖²‖b‖² + ⟨a,b⟩²)/(width·depth)).
 * (For ‖A − B‖² = ⟨d, d⟩ the bound is √(2‖d‖⁴/(width·depth)).) Hashes are fixed by the tensor name,
 * so the outcome is deterministic; a broken estimator or hashing fails it.
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
        double wd = sa.width() * (double) sa.depth();
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

    private CheckpointManifest write(String name, double[] v) throws IOException {
        Path p = dir.resolve(name);
        new SafetensorsWriter().tensor("fc1.weight", Dtype.F32, new long[] {32, 11616}, v).write(p);
        return Manifests.of(p);
    }
}
