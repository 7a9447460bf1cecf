package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What the manifest records of one tensor: where its bytes are ({@code file}, byte range
 * [{@code begin}, {@code end}) relative to that file's data buffer), the SHA-256 of exactly those raw
 * bytes, and — where the dtype has a decoding — stats, exact values of small 1-D tensors
 * ({@code values}; norm gains, biases), a {@link CoordinateSample} and a {@link TensorSketch}.
 *
 * <p>Distributed checkpoints: in a shard manifest, {@code slice} says which part of a larger tensor
 * these bytes are (then sample and sketch use the global flat positions). In a folded manifest a tensor
 * split across ranks has {@code slices} (one per part, offset order), its global shape, no
 * {@code file}/{@code begin}/{@code end} (they are per slice), and {@code sha256} = RFC 9162 root over
 * the slices' digests ({@link ShardFold}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TensorManifest(
        String name,
        String dtype,
        List<Long> shape,
        String file,
        Long begin,
        Long end,
        String sha256,
        TensorStats stats,
        List<Double> values,
        CoordinateSample sample,
        TensorSketch sketch,
        TensorSlice slice,
        List<SlicePart> slices) {

    public TensorManifest {
        shape = List.copyOf(shape);
        values = values == null ? null : List.copyOf(values);
        slices = slices == null ? null : List.copyOf(slices);
    }

    /** A whole tensor in one file (neither a slice nor folded from slices). */
    public TensorManifest(String name, String dtype, List<Long> shape, String file, long begin, long end, String sha256,
            TensorStats stats, List<Double> values, CoordinateSample sample, TensorSketch sketch) {
        this(name, dtype, shape, file, begin, end, sha256, stats, values, sample, sketch, null, null);
    }

    /** Element count (product of the shape; 1 for a scalar). */
    public long count() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }
}
