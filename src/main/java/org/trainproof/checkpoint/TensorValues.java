package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Reads the decoded values of one tensor of a checkpoint, for exact re-checks (an auditor's own
 * positions, exact distances). Streams in bounded chunks; {@link #read} materialises the tensor and
 * so requires count &le; {@link #MAX_ARRAY} (use {@link #visit} for larger tensors).
 */
public final class TensorValues {
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 16;
    private static final int CHUNK = ManifestOptions.DEFAULT_CHUNK_BYTES;
    private static final int BLOCK = 4096;

    /** Receives a block of decoded values: {@code values[0..n)} are elements {@code firstIndex ..}. */
    @FunctionalInterface
    public interface BlockVisitor {
        void accept(long firstIndex, double[] values, int n);
    }

    private TensorValues() {}

    /** Streams every decoded value of the tensor in logical (C) order; any container ({@link CheckpointReaders#open}). */
    public static void visit(Path checkpoint, String tensorName, BlockVisitor visitor) {
        try (CheckpointSource src = CheckpointReaders.open(checkpoint)) {
            SourceTensor e = src.tensor(tensorName).orElseThrow(() ->
                    org.trainproof.TrainproofException.badInput(checkpoint, "no tensor named '" + tensorName + "'"));
            visit(src, e, visitor);
        }
    }

    /** Streams every decoded value of {@code e}, a tensor of the open {@code src}. */
    public static void visit(CheckpointSource src, SourceTensor e, BlockVisitor visitor) {
        String where = src.files().get(e.fileIndex()).abs() + " tensor '" + e.name() + "'";
        if (!e.decodes()) {
            throw org.trainproof.TrainproofException.badInput(where, "dtype " + e.dtypeName() + " has no real-valued decoding");
        }
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(24, e.byteLength()))];
        double[] x = new double[BLOCK];
        int bits = e.dtype().bits();
        try {
            for (long off = 0; off < e.byteLength(); off += CHUNK) {
                int len = (int) Math.min(CHUNK, e.byteLength() - off);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
                e.bytes().read(off, bb);
                long e0 = off * 8 / bits;
                int m = (int) ((long) len * 8 / bits);
                for (int j = 0; j < m; j += BLOCK) {
                    int n = Math.min(BLOCK, m - j);
                    ElementDecoder.decode(e.dtype(), buf, j, n, x);
                    visitor.accept(e0 + j, x, n);
                }
            }
        } catch (IOException ex) {
            throw new SafetensorsFormatException(where, SafetensorsRule.UNREADABLE, "cannot read: " + ex.getMessage(), ex);
        }
    }

    /** All decoded values of the tensor, in row-major order. */
    public static double[] read(Path checkpoint, String tensorName) {
        try (CheckpointSource src = CheckpointReaders.open(checkpoint)) {
            SourceTensor e = src.tensor(tensorName).orElseThrow(() ->
                    org.trainproof.TrainproofException.badInput(checkpoint, "no tensor named '" + tensorName + "'"));
            if (e.count() > MAX_ARRAY) {
                throw org.trainproof.TrainproofException.badInput(checkpoint + " tensor '" + tensorName + "'",
                        e.count() + " elements do not fit in one array; use TensorValues.visit");
            }
            double[] out = new double[(int) e.count()];
            visit(src, e, (first, v, n) -> System.arraycopy(v, 0, out, (int) first, n));
            return out;
        }
    }
}
