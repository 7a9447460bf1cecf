package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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

    /** Finds a tensor in a checkpoint (file, directory or index): its file and header entry. */
    public record Located(Path file, SafetensorsHeader header, TensorEntry entry) {}

    public static Located locate(Path checkpoint, String tensorName) {
        CheckpointFiles files = CheckpointFiles.of(checkpoint);
        for (String f : files.files()) {
            if (files.sharded() && !f.equals(files.weightMap().get(tensorName))) continue;
            Path p = files.resolve(f);
            SafetensorsHeader h = SafetensorsReader.readHeader(p, p.toString());
            files.checkShard(f, h);
            for (TensorEntry e : h.tensors()) {
                if (e.name().equals(tensorName)) return new Located(p, h, e);
            }
        }
        throw org.trainproof.TrainproofException.badInput(checkpoint, "no tensor named '" + tensorName + "'");
    }

    /** Streams every decoded value of the tensor in index order. */
    public static void visit(Path checkpoint, String tensorName, BlockVisitor visitor) {
        Located loc = locate(checkpoint, tensorName);
        TensorEntry e = loc.entry();
        String where = loc.file() + " tensor '" + tensorName + "'";
        if (!e.dtype().hasDecoding()) {
            throw org.trainproof.TrainproofException.badInput(where, "dtype " + e.dtype() + " has no real-valued decoding");
        }
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(24, e.byteLength()))];
        double[] x = new double[BLOCK];
        int bits = e.dtype().bits();
        try (FileChannel ch = FileChannel.open(loc.file(), StandardOpenOption.READ)) {
            for (long off = 0; off < e.byteLength(); off += CHUNK) {
                int len = (int) Math.min(CHUNK, e.byteLength() - off);
                SafetensorsReader.readFully(ch, ByteBuffer.wrap(buf, 0, len), loc.header().dataStart() + e.begin() + off, where);
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
        Located loc = locate(checkpoint, tensorName);
        if (loc.entry().count() > MAX_ARRAY) {
            throw org.trainproof.TrainproofException.badInput(loc.file() + " tensor '" + tensorName + "'",
                    loc.entry().count() + " elements do not fit in one array; use TensorValues.visit");
        }
        double[] out = new double[(int) loc.entry().count()];
        visit(checkpoint, tensorName, (first, v, n) -> System.arraycopy(v, 0, out, (int) first, n));
        return out;
    }
}
