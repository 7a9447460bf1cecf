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

    /**
     * The values of a 2-D tensor at {@code rows} × {@code cols} ({@code out[i][j] = T[rows[i]][cols[j]]};
     * null: all, in order; index arrays strictly increasing and in range), reading only the selected
     * rows' bytes (runs of consecutive selected rows up to one chunk per read) and decoding only the
     * selected columns. Sub-byte dtypes and rows longer than one chunk fall back to streaming the
     * whole tensor ({@link #visit}). Memory: the output plus one chunk.
     */
    public static double[][] gather(Path checkpoint, String tensorName, int[] rows, int[] cols) {
        try (CheckpointSource src = CheckpointReaders.open(checkpoint)) {
            SourceTensor e = src.tensor(tensorName).orElseThrow(() ->
                    org.trainproof.TrainproofException.badInput(checkpoint, "no tensor named '" + tensorName + "'"));
            String where = src.files().get(e.fileIndex()).abs() + " tensor '" + e.name() + "'";
            if (!e.decodes()) {
                throw org.trainproof.TrainproofException.badInput(where, "dtype " + e.dtypeName() + " has no real-valued decoding");
            }
            if (e.shape().size() != 2) throw new IllegalArgumentException(tensorName + " is not 2-D");
            int nr = Math.toIntExact(e.shape().get(0)), nc = Math.toIntExact(e.shape().get(1));
            int[] r = rows == null ? identity(nr) : rows;
            int[] c = cols == null ? identity(nc) : cols;
            double[][] out = new double[r.length][c.length];
            Dtype dt = e.dtype();
            long rowBytes = dt.byteAligned() ? (long) nc * dt.bytes() : Long.MAX_VALUE;
            if (rowBytes > CHUNK) {
                gatherStreaming(src, e, nc, r, c, out);
                return out;
            }
            int eb = dt.bytes();
            int perRead = (int) Math.max(1, CHUNK / Math.max(1, rowBytes));
            byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(eb, rowBytes * Math.min(perRead, r.length)))];
            ByteBuffer le = ByteBuffer.wrap(buf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            try {
                for (int i = 0; i < r.length; ) {
                    int first = r[i], k = 1; // a run of consecutive selected rows
                    while (i + k < r.length && k < perRead && r[i + k] == first + k) k++;
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, (int) (k * rowBytes));
                    e.bytes().read(first * rowBytes, bb);
                    if (bb.hasRemaining()) throw new IOException("short read");
                    for (int q = 0; q < k; q++) {
                        double[] dst = out[i + q];
                        int base = (int) (q * rowBytes);
                        for (int j = 0; j < c.length; j++) dst[j] = dt.decode(le, base + c[j] * eb);
                    }
                    i += k;
                }
            } catch (IOException ex) {
                throw new SafetensorsFormatException(where, SafetensorsRule.UNREADABLE, "cannot read: " + ex.getMessage(), ex);
            }
            return out;
        }
    }

    private static void gatherStreaming(CheckpointSource src, SourceTensor e, int nc, int[] r, int[] c, double[][] out) {
        int nr = Math.toIntExact(e.shape().get(0));
        int[] rowPos = positions(r, nr), colPos = positions(c, nc);
        visit(src, e, (first, v, n) -> {
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
    }

    private static int[] identity(int n) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) x[i] = i;
        return x;
    }

    private static int[] positions(int[] idx, int n) {
        int[] pos = new int[n];
        java.util.Arrays.fill(pos, -1);
        for (int i = 0; i < idx.length; i++) pos[idx[i]] = i;
        return pos;
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
