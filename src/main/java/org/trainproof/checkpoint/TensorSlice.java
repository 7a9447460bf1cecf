package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Which part of a larger ("global") tensor a shard file holds: the local tensor's shape is the
 * slice's extent, {@code offsets} its first index in each dimension. Declared by the writer in the
 * safetensors {@code __metadata__} key {@value #METADATA_KEY} (docs/distributed.md), recorded in a
 * shard manifest, and checked and combined by {@link ShardFold}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TensorSlice(List<Long> offsets, List<Long> globalShape) {
    /** safetensors metadata key holding {@code {"tensor": {"offsets": [...], "global_shape": [...]}}} as a JSON string. */
    public static final String METADATA_KEY = "trainproof.slices";

    public TensorSlice {
        offsets = List.copyOf(offsets);
        globalShape = List.copyOf(globalShape);
    }

    /** Requires a slice that fits: same rank, offset + extent within the global shape; else the reason. */
    public String misfit(List<Long> localShape) {
        if (offsets.size() != globalShape.size() || localShape.size() != globalShape.size()) {
            return "offsets " + offsets + ", local shape " + localShape + " and global shape " + globalShape + " differ in rank";
        }
        for (int d = 0; d < offsets.size(); d++) {
            long o = offsets.get(d);
            long n = localShape.get(d);
            if (o < 0 || n < 0 || o + n > globalShape.get(d)) {
                return "dimension " + d + ": offset " + o + " + extent " + n + " exceeds global size " + globalShape.get(d);
            }
        }
        return null;
    }

    /** Element count of the global tensor. */
    @JsonIgnore
    public long globalCount() {
        long n = 1;
        for (long d : globalShape) n = Math.multiplyExact(n, d);
        return n;
    }

    /**
     * The global flat (row-major) index of the slice's first element when the slice's elements are one
     * contiguous run of the global tensor (every dimension before the first split one has extent 1, every
     * one after it is whole); else −1. Only then are sample and sketch positions defined for the slice.
     */
    public long contiguousBase(List<Long> localShape) {
        int r = globalShape.size();
        int first = 0;
        while (first < r && localShape.get(first) == 1) first++;
        // the first dimension with extent != 1 may be partial; every later one must be whole
        for (int d = first + 1; d < r; d++) {
            if (offsets.get(d) != 0 || !localShape.get(d).equals(globalShape.get(d))) return -1;
        }
        long base = 0;
        for (int d = 0; d < r; d++) base = base * globalShape.get(d) + offsets.get(d);
        return base;
    }
}
