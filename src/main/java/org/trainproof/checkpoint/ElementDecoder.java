package org.trainproof.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Bulk decoding of a run of elements held in a byte array, with fast paths for BF16, F16, F32, F64. */
final class ElementDecoder {
    private ElementDecoder() {}

    /**
     * Decodes elements {@code from .. from + n} of {@code buf} (element 0 starts at byte 0) into
     * {@code out[0..n)}. Requires {@link Dtype#hasDecoding()}.
     */
    static void decode(Dtype dt, byte[] buf, int from, int n, double[] out) {
        switch (dt) {
            case BF16 -> {
                int o = from * 2;
                for (int j = 0; j < n; j++, o += 2) {
                    out[j] = Float.intBitsToFloat((buf[o + 1] << 24) | ((buf[o] & 0xff) << 16));
                }
            }
            case F32 -> {
                int o = from * 4;
                for (int j = 0; j < n; j++, o += 4) {
                    int b = (buf[o] & 0xff) | ((buf[o + 1] & 0xff) << 8) | ((buf[o + 2] & 0xff) << 16) | (buf[o + 3] << 24);
                    out[j] = Float.intBitsToFloat(b);
                }
            }
            case F16 -> {
                int o = from * 2;
                for (int j = 0; j < n; j++, o += 2) {
                    out[j] = Dtype.halfToDouble((buf[o] & 0xff) | ((buf[o + 1] & 0xff) << 8));
                }
            }
            case F4, F6_E2M3, F6_E3M2 -> {
                for (int j = 0; j < n; j++) out[j] = dt.decodeSubByte(buf, 0, (long) from + j);
            }
            default -> {
                ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
                int w = dt.bytes();
                int o = from * w;
                for (int j = 0; j < n; j++, o += w) out[j] = dt.decode(bb, o);
            }
        }
    }

    private static final java.util.Map<Dtype, double[]> TABLES = new java.util.concurrent.ConcurrentHashMap<>();

    /** True for types with at most 65,536 codes (8- and 16-bit), whose stats come from a histogram. */
    static boolean tabulated(Dtype dt) {
        return dt.hasDecoding() && dt.byteAligned() && dt.bits() <= 16;
    }

    /** The value of every code of an 8- or 16-bit type (immutable once built; shared). */
    static double[] table(Dtype dt) {
        return TABLES.computeIfAbsent(dt, d -> {
            int codes = 1 << d.bits();
            double[] t = new double[codes];
            ByteBuffer bb = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < codes; c++) {
                bb.putShort(0, (short) c);
                t[c] = d.decode(bb, 0);
            }
            return t;
        });
    }

    /** Counts the codes of {@code n} 8- or 16-bit elements starting at element {@code from}. */
    static void histogram(Dtype dt, byte[] buf, int from, int n, int[] hist) {
        if (dt.bits() == 8) {
            for (int j = from, end = from + n; j < end; j++) hist[buf[j] & 0xff]++;
        } else {
            for (int j = 0, o = 2 * from; j < n; j++, o += 2) hist[(buf[o] & 0xff) | ((buf[o + 1] & 0xff) << 8)]++;
        }
    }

    /** Table-driven decoding of 8- or 16-bit elements. */
    static void decodeTabulated(double[] table, int bits, byte[] buf, int from, int n, double[] out) {
        if (bits == 8) {
            for (int j = 0; j < n; j++) out[j] = table[buf[from + j] & 0xff];
        } else {
            for (int j = 0, o = 2 * from; j < n; j++, o += 2) out[j] = table[(buf[o] & 0xff) | ((buf[o + 1] & 0xff) << 8)];
        }
    }

    /** Decodes the single element {@code index} of {@code buf}. */
    static double decodeOne(Dtype dt, byte[] buf, int index) {
        if (!dt.byteAligned()) return dt.decodeSubByte(buf, 0, index);
        return dt.decode(ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN), index * dt.bytes());
    }
}
