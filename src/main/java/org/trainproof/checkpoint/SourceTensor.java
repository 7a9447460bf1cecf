package org.trainproof.checkpoint;

import java.util.List;

/**
 * One tensor as any container reader presents it to the manifest builder: name, element type
 * ({@code dtype} null when the type has no decoding here, e.g. a GGUF quantised block type; then
 * {@code dtypeName} names it and the tensor is hashed by its stored bytes only), logical shape and
 * byte length, where its bytes live ({@code fileIndex} into {@link CheckpointSource#files()},
 * {@code begin}/{@code end}: for safetensors relative to the data buffer, for other containers the
 * absolute byte range of the tensor's storage extent in that file), and its logical bytes.
 */
public record SourceTensor(String name, Dtype dtype, String dtypeName, List<Long> shape, long count, long byteLength,
        int fileIndex, long begin, long end, TensorBytes bytes, TensorSlice slice) {
    public SourceTensor {
        shape = List.copyOf(shape);
    }

    /** A whole tensor (not a declared slice of a larger one: see {@link TensorSlice}). */
    public SourceTensor(String name, Dtype dtype, String dtypeName, List<Long> shape, long count, long byteLength,
            int fileIndex, long begin, long end, TensorBytes bytes) {
        this(name, dtype, dtypeName, shape, count, byteLength, fileIndex, begin, end, bytes, null);
    }

    public boolean decodes() {
        return dtype != null && dtype.hasDecoding();
    }
}
