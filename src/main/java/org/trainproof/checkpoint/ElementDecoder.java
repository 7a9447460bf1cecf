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

    /** Decodes the single element {@code index} of {@code buf}. */
    static double decodeOne(Dtype dt, byte[] buf, int index) {
        if (!dt.byteAligned()) return dt.decodeSubByte(buf, 0, index);
        return dt.decode(ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN), index * dt.bytes());
    }
}
