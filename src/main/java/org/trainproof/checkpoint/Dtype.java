package org.trainproof.checkpoint;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;

/**
 * Element types of safetensors (formats.md §1.2, the reference enum as of 2026-05), with their bit
 * widths and, where one exists, a decoding of one element to a double. Little-endian throughout.
 */
public enum Dtype {
    BOOL(8), F4(4), F6_E2M3(6), F6_E3M2(6), U8(8), I8(8),
    F8_E5M2(8), F8_E4M3(8), F8_E8M0(8), F8_E4M3FNUZ(8), F8_E5M2FNUZ(8),
    I16(16), U16(16), F16(16), BF16(16), I32(32), U32(32), F32(32), C64(64), F64(64), I64(64), U64(64);

    private final int bits;

    Dtype(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** True for types whose elements are whole bytes (everything but F4 and the F6 pair). */
    public boolean byteAligned() {
        return bits % 8 == 0;
    }

    /** Bytes per element; requires {@link #byteAligned()}. */
    public int bytes() {
        if (!byteAligned()) throw new IllegalStateException(this + " is a sub-byte type");
        return bits / 8;
    }

    /** True for floating-point types (NaN/Inf/ulp are meaningful). */
    public boolean isFloat() {
        return name().startsWith("F") || this == BF16 || this == C64;
    }

    public static Optional<Dtype> parse(String name) {
        try {
            // Exact, case-sensitive match, as the reference parser's serde enum.
            Dtype d = Dtype.valueOf(name);
            return d.name().equals(name) ? Optional.of(d) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Decodes the element at {@code buf.position() + index * bytes()} (absolute, little-endian order
     * must be set on {@code buf}). For C64 returns the real part. Requires {@link #byteAligned()}.
     */
    public double decode(ByteBuffer buf, int byteIndex) {
        switch (this) {
            case BOOL: return buf.get(byteIndex) != 0 ? 1.0 : 0.0;
            case U8: return buf.get(byteIndex) & 0xff;
            case I8: return buf.get(byteIndex);
            case I16: return buf.getShort(byteIndex);
            case U16: return buf.getShort(byteIndex) & 0xffff;
            case F16: return halfToDouble(buf.getShort(byteIndex) & 0xffff);
            case BF16: return Float.intBitsToFloat((buf.getShort(byteIndex) & 0xffff) << 16);
            case I32: return buf.getInt(byteIndex);
            case U32: return buf.getInt(byteIndex) & 0xffffffffL;
            case F32: return buf.getFloat(byteIndex);
            case C64: return buf.getFloat(byteIndex);
            case F64: return buf.getDouble(byteIndex);
            case I64: return buf.getLong(byteIndex);
            case U64: {
                long v = buf.getLong(byteIndex);
                return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
            }
            case F8_E4M3: return fp8(buf.get(byteIndex) & 0xff, 4, 3, 7, true, false);
            case F8_E5M2: return fp8(buf.get(byteIndex) & 0xff, 5, 2, 15, false, false);
            case F8_E4M3FNUZ: return fp8(buf.get(byteIndex) & 0xff, 4, 3, 8, true, true);
            case F8_E5M2FNUZ: return fp8(buf.get(byteIndex) & 0xff, 5, 2, 16, true, true);
            case F8_E8M0: {
                int b = buf.get(byteIndex) & 0xff;
                return b == 0xff ? Double.NaN : Math.scalb(1.0, b - 127);
            }
            default:
                throw new IllegalStateException("no element decoding for " + this);
        }
    }

    /**
     * True when trainproof decodes this type's elements for statistics. C64 is excluded (a complex
     * value has no single real statistic); every other type has a decoding.
     */
    public boolean hasDecoding() {
        return this != C64;
    }

    /**
     * Decodes element {@code index} of a packed sub-byte buffer region starting at {@code base}
     * (F4, F6_E2M3, F6_E3M2). Packing assumed (formats.md §1.2 gives none; UNVERIFIED against a real
     * F4/F6 file): elements fill a little-endian bit stream, element i occupies bits [b·i, b·i + b)
     * where bit j is {@code (byte[base + j/8] >> (j % 8)) & 1}; for F4 that is the low nibble first,
     * as torch's float4_e2m1fn_x2. Requires !{@link #byteAligned()} and that the bytes are present.
     */
    public double decodeSubByte(byte[] buf, int base, long index) {
        long bit = index * bits;
        int byteIdx = base + (int) (bit >>> 3);
        int shift = (int) (bit & 7);
        int word = buf[byteIdx] & 0xff;
        if (shift + bits > 8) word |= (buf[byteIdx + 1] & 0xff) << 8;
        int code = (word >>> shift) & ((1 << bits) - 1);
        return decodeCode(code);
    }

    /** Decodes one 4- or 6-bit code of F4 (E2M1, bias 1), F6_E2M3 (bias 1) or F6_E3M2 (bias 3); OCP MX v1.0: no Inf/NaN. */
    public double decodeCode(int code) {
        switch (this) {
            case F4: return miniFloat(code, 2, 1, 1);
            case F6_E2M3: return miniFloat(code, 2, 3, 1);
            case F6_E3M2: return miniFloat(code, 3, 2, 3);
            default: throw new IllegalStateException(this + " is not a sub-byte type");
        }
    }

    private static double miniFloat(int code, int expBits, int manBits, int bias) {
        int sign = (code >> (expBits + manBits)) & 1;
        int exp = (code >> manBits) & ((1 << expBits) - 1);
        int man = code & ((1 << manBits) - 1);
        double v = exp == 0
                ? Math.scalb((double) man, 1 - bias - manBits)
                : Math.scalb((double) ((1 << manBits) | man), exp - bias - manBits);
        return sign == 1 ? -v : v;
    }

    /** IEEE 754 binary16 to double (Java 17 has no Float.float16ToFloat). */
    static double halfToDouble(int h) {
        int sign = (h >> 15) & 1;
        int exp = (h >> 10) & 0x1f;
        int man = h & 0x3ff;
        double v;
        if (exp == 0x1f) {
            v = man == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            v = Math.scalb((double) man, -24);
        } else {
            v = Math.scalb((double) (0x400 | man), exp - 25);
        }
        return sign == 1 ? -v : v;
    }

    /**
     * Generic 8-bit float. {@code fn}: "finite" variants (E4M3FN: no infinities, NaN only at
     * S.1111.111); {@code fnuz}: no negative zero, 0x80 is the only NaN (AMD FNUZ types).
     */
    static double fp8(int b, int expBits, int manBits, int bias, boolean fn, boolean fnuz) {
        if (fnuz && b == 0x80) return Double.NaN;
        int sign = (b >> 7) & 1;
        int exp = (b >> manBits) & ((1 << expBits) - 1);
        int man = b & ((1 << manBits) - 1);
        int maxExp = (1 << expBits) - 1;
        if (!fn && exp == maxExp) {
            return man == 0 ? (sign == 1 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN;
        }
        if (fn && !fnuz && exp == maxExp && man == (1 << manBits) - 1) return Double.NaN;
        double v = exp == 0
                ? Math.scalb((double) man, 1 - bias - manBits)
                : Math.scalb((double) ((1 << manBits) | man), exp - bias - manBits);
        return sign == 1 ? -v : v;
    }

    @Override
    public String toString() {
        return name().toUpperCase(Locale.ROOT);
    }
}
