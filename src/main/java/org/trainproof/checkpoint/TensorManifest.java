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
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TensorManifest(
        String name,
        String dtype,
        List<Long> shape,
        String file,
        long begin,
        long end,
        String sha256,
        TensorStats stats,
        List<Double> values,
        CoordinateSample sample,
        TensorSketch sketch) {

    public TensorManifest {
        shape = List.copyOf(shape);
        values = values == null ? null : List.copyOf(values);
    }

    /** Element count (product of the shape; 1 for a scalar). */
    public long count() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }
}
