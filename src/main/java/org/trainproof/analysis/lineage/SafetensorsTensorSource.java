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

    /** Reads only the selected rows and decodes only the selected columns ({@link TensorValues#gather}). */
    @Override
    public double[][] gather(String name, int[] rows, int[] cols) {
        entry(name);
        return TensorValues.gather(path, name, rows, cols);
    }
}
