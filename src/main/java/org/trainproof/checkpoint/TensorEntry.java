package org.trainproof.checkpoint;

import java.util.List;

/**
 * One tensor as the header declares it, after validation: {@code begin}/{@code end} are relative to
 * the data buffer (absolute position = {@code dataStart + begin}), {@code count} is the element count
 * (1 for a scalar), and END − BEGIN = count × bits / 8 holds.
 */
public record TensorEntry(String name, Dtype dtype, List<Long> shape, long count, long begin, long end) {
    public TensorEntry {
        shape = List.copyOf(shape);
    }

    public long byteLength() {
        return end - begin;
    }
}
