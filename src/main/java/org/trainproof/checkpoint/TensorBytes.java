package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * The logical bytes of one tensor: its elements in C (row-major) order, little-endian, whatever the
 * container stores (strides, storage offsets, shared storages, big-endian storages and DCP chunks are
 * resolved here). A tensor's digest, statistics, sample and sketch are defined over these bytes, so the
 * same weights give the same digest in every container.
 */
@FunctionalInterface
public interface TensorBytes {
    /** Fills {@code dst} (position to limit) with logical bytes [{@code off}, off + dst.remaining()). */
    void read(long off, ByteBuffer dst) throws IOException;

    /**
     * Where the logical bytes lie as stored, or null: logical byte {@code off} is byte {@code at + off} of
     * {@code channel}'s file, unswapped, so a manifest may read them from that file by any means (direct
     * reads, {@link Manifests}) and get the bytes {@link #read} gives.
     */
    default Stored stored() {
        return null;
    }

    /** Logical byte 0 at absolute byte {@code at} of the file open in {@code channel}. */
    record Stored(FileChannel channel, long at) {}

    /** Bytes stored contiguously in C order at {@code abs} of {@code ch}; {@code swap} for big-endian storage of {@code elemBytes}-byte elements. */
    static TensorBytes contiguous(FileChannel ch, long abs, int elemBytes, boolean swap, Object where) {
        final Stored stored = swap && elemBytes > 1 ? null : new Stored(ch, abs);
        return new TensorBytes() {
            @Override
            public void read(long off, ByteBuffer dst) throws IOException {
                int p0 = dst.position();
                SafetensorsReader.readFully(ch, dst, abs + off, String.valueOf(where));
                if (swap && elemBytes > 1) swapInPlace(dst, p0, dst.position(), elemBytes);
            }

            @Override
            public Stored stored() {
                return stored;
            }
        };
    }

    private static void swapInPlace(ByteBuffer b, int from, int to, int es) {
        for (int i = from; i + es <= to; i += es) {
            for (int a = i, z = i + es - 1; a < z; a++, z--) {
                byte t = b.get(a);
                b.put(a, b.get(z));
                b.put(z, t);
            }
        }
    }

    /**
     * A strided view: element (i0..ik) is storage element {@code offset + Σ i_j·stride_j} of the storage
     * at {@code storageAbs}. Requires the caller to have checked the extent lies within the storage.
     * Reads go through a 1 MiB window of storage bytes, so memory is constant.
     */
    static TensorBytes strided(FileChannel ch, long storageAbs, long storageBytes, int es, long offset,
            List<Long> size, List<Long> stride, boolean swap, Object where) {
        final int rank = size.size();
        final long[] sz = size.stream().mapToLong(Long::longValue).toArray();
        final long[] st = stride.stream().mapToLong(Long::longValue).toArray();
        return new TensorBytes() {
            private final ThreadLocal<ByteBuffer> window = ThreadLocal.withInitial(() -> ByteBuffer.allocate(1 << 20));
            private final ThreadLocal<long[]> winStart = ThreadLocal.withInitial(() -> new long[] {-1, 0});

            @Override
            public void read(long off, ByteBuffer dst) throws IOException {
                if (off % es != 0 || dst.remaining() % es != 0) throw new IllegalArgumentException("unaligned strided read");
                long first = off / es;
                int n = dst.remaining() / es;
                long[] idx = new long[rank];
                long rem = first;
                for (int d = rank - 1; d >= 0; d--) {
                    idx[d] = rem % sz[d];
                    rem /= sz[d];
                }
                ByteBuffer w = window.get();
                long[] ws = winStart.get();
                for (int k = 0; k < n; k++) {
                    long e = offset;
                    for (int d = 0; d < rank; d++) e += idx[d] * st[d];
                    long pos = e * es;
                    if (ws[0] < 0 || pos < ws[0] || pos + es > ws[0] + ws[1]) {
                        long len = Math.min(w.capacity(), storageBytes - pos);
                        w.clear().limit((int) len);
                        SafetensorsReader.readFully(ch, w, storageAbs + pos, String.valueOf(where));
                        ws[0] = pos;
                        ws[1] = len;
                    }
                    int at = (int) (pos - ws[0]);
                    int p = dst.position();
                    for (int b = 0; b < es; b++) dst.put(p + b, w.get(at + (swap ? es - 1 - b : b)));
                    dst.position(p + es);
                    for (int d = rank - 1; d >= 0; d--) {
                        if (++idx[d] < sz[d]) break;
                        idx[d] = 0;
                    }
                }
            }
        };
    }

    /** One chunk of a sharded tensor: its box (offsets, sizes) in the global tensor and its own C-order bytes. */
    record Chunk(long[] offsets, long[] sizes, TensorBytes bytes) {}

    /**
     * A tensor of shape {@code shape} assembled from chunks that tile it (DCP). Reads walk runs along
     * the last dimension, each inside one chunk.
     */
    static TensorBytes boxed(long[] shape, int es, List<Chunk> chunks, Object where) {
        final int rank = shape.length;
        return (off, dst) -> {
            if (off % es != 0 || dst.remaining() % es != 0) throw new IllegalArgumentException("unaligned chunked read");
            long g = off / es;
            long n = dst.remaining() / es;
            while (n > 0) {
                long[] idx = new long[rank];
                long rem = g;
                for (int d = rank - 1; d >= 0; d--) {
                    idx[d] = rem % shape[d];
                    rem /= shape[d];
                }
                Chunk c = find(chunks, idx, where, g);
                long local = 0;
                for (int d = 0; d < rank; d++) local = local * c.sizes()[d] + (idx[d] - c.offsets()[d]);
                long run = rank == 0 ? 1 : c.offsets()[rank - 1] + c.sizes()[rank - 1] - idx[rank - 1];
                run = Math.min(run, n);
                int lim = dst.limit();
                dst.limit(dst.position() + (int) (run * es));
                c.bytes().read(local * es, dst);
                dst.limit(lim);
                g += run;
                n -= run;
            }
        };
    }

    private static Chunk find(List<Chunk> chunks, long[] idx, Object where, long g) throws IOException {
        outer:
        for (Chunk c : chunks) {
            for (int d = 0; d < idx.length; d++) {
                if (idx[d] < c.offsets()[d] || idx[d] >= c.offsets()[d] + c.sizes()[d]) continue outer;
            }
            return c;
        }
        throw new IOException(where + ": element " + g + " is in no chunk");
    }
}
