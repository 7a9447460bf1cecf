package org.trainproof.analysis.lineage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.trainproof.TrainproofException;
import org.trainproof.checkpoint.CheckpointReaders;
import org.trainproof.checkpoint.CheckpointSource;
import org.trainproof.checkpoint.SourceTensor;
import org.trainproof.checkpoint.TensorValues;

/**
 * A checkpoint of any container {@link CheckpointReaders#open} reads (safetensors file, directory or
 * sharded index; torch.save zip or legacy; Lightning; DCP; GGUF) as a {@link TensorSource}.
 * Headers are read and validated once by the checkpoint package's reader; values are streamed by
 * {@link TensorValues#visit} (bounded chunks), so a gathered sub-matrix costs one pass over the
 * tensor and memory proportional to the sample, never to the tensor.
 */
public final class SafetensorsTensorSource implements TensorSource {
    /** Largest tensor {@link #values} materialises (vectors and small matrices; 2^26 doubles = 512 MiB). */
    public static final long MAX_VALUES = 1L << 26;

    private final Path path;
    private final Map<String, SourceTensor> entries = new LinkedHashMap<>();

    private SafetensorsTensorSource(Path path) {
        this.path = path;
    }

    /** Opens {@code path}; malformed input fails with a bad-input error naming file and rule (exit 3). */
    public static SafetensorsTensorSource open(Path path) {
        SafetensorsTensorSource s = new SafetensorsTensorSource(path);
        try (CheckpointSource src = CheckpointReaders.open(path)) {
            for (SourceTensor e : src.tensors()) s.entries.put(e.name(), e);
        }
        return s;
    }

    @Override
    public String label() {
        return path.toString();
    }

    @Override
    public List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    private SourceTensor entry(String name) {
        SourceTensor e = entries.get(name);
        if (e == null) throw TrainproofException.badInput(path, "no tensor named '" + name + "'");
        return e;
    }

    @Override
    public long[] shape(String name) {
        return entry(name).shape().stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public boolean floating(String name) {
        SourceTensor e = entry(name);
        return e.decodes() && e.dtype().isFloat();
    }

    @Override
    public double[] values(String name) {
        SourceTensor e = entry(name);
        if (e.count() > MAX_VALUES) {
            throw TrainproofException.badInput(path + " tensor '" + name + "'",
                    e.count() + " elements exceed the " + MAX_VALUES + "-element limit for whole-tensor reads");
        }
        double[] out = new double[(int) e.count()];
        TensorValues.visit(path, name, (first, v, n) -> System.arraycopy(v, 0, out, (int) first, n));
        return out;
    }

    @Override
    public double[][] gather(String name, int[] rows, int[] cols) {
        long[] s = shape(name);
        if (s.length != 2) throw new IllegalArgumentException(name + " is not 2-D");
        int nr = Math.toIntExact(s[0]), nc = Math.toIntExact(s[1]);
        int[] r = rows == null ? TensorSource.identity(nr) : rows;
        int[] c = cols == null ? TensorSource.identity(nc) : cols;
        int[] rowPos = positions(r, nr);
        int[] colPos = positions(c, nc);
        double[][] out = new double[r.length][c.length];
        TensorValues.visit(path, name, (first, v, n) -> {
            int row = (int) (first / nc), col = (int) (first % nc);
            int k = 0;
            while (k < n) {
                int take = Math.min(n - k, nc - col);
                int rp = rowPos[row];
                if (rp >= 0) {
                    double[] dst = out[rp];
                    for (int t = 0; t < take; t++) {
                        int cp = colPos[col + t];
                        if (cp >= 0) dst[cp] = v[k + t];
                    }
                }
                k += take;
                col += take;
                if (col == nc) {
                    col = 0;
                    row++;
                }
            }
        });
        return out;
    }

    private static int[] positions(int[] idx, int n) {
        int[] pos = new int[n];
        java.util.Arrays.fill(pos, -1);
        for (int i = 0; i < idx.length; i++) pos[idx[i]] = i;
        return pos;
    }
}
