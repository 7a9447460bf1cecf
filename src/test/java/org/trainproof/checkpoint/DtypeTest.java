package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DtypeTest {
    private static double dec(Dtype t, int... bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : bytes) b.put((byte) x);
        return t.decode(b, 0);
    }

    @Test
    void f16_decodesIeeeBinary16Values() {
        assertEquals(1.0, dec(Dtype.F16, 0x00, 0x3c));
        assertEquals(-2.0, dec(Dtype.F16, 0x00, 0xc0));
        assertEquals(65504.0, dec(Dtype.F16, 0xff, 0x7b)); // largest normal
        assertEquals(Math.scalb(1.0, -24), dec(Dtype.F16, 0x01, 0x00)); // smallest subnormal
        assertEquals(Double.POSITIVE_INFINITY, dec(Dtype.F16, 0x00, 0x7c));
        assertTrue(Double.isNaN(dec(Dtype.F16, 0x01, 0x7e)));
    }

    @Test
    void bf16_isTheHighHalfOfF32() {
        assertEquals(1.0, dec(Dtype.BF16, 0x80, 0x3f));
        assertEquals(-0.5, dec(Dtype.BF16, 0x00, 0xbf));
    }

    @Test
    void bf16Rounding_isNearestEven() {
        // 1 + 2^-8 lies exactly between two bf16 values (1 and 1+2^-7): ties go to even (1.0).
        assertEquals((short) 0x3f80, SafetensorsWriter.toBf16Bits(1.0f + 0x1p-8f));
        // 1 + 3*2^-8 lies between 1+2^-7 (odd mantissa) and 1+2^-6: ties to even (1+2^-6).
        assertEquals((short) 0x3f82, SafetensorsWriter.toBf16Bits(1.0f + 3 * 0x1p-8f));
    }

    @Test
    void fp8E4m3fn_matchesOcpSpecTable() {
        // OCP 8-bit floating point spec v1.0, E4M3: max normal 448 = S.1111.110, NaN = S.1111.111.
        assertEquals(448.0, dec(Dtype.F8_E4M3, 0x7e));
        assertTrue(Double.isNaN(dec(Dtype.F8_E4M3, 0x7f)));
        assertEquals(1.0, dec(Dtype.F8_E4M3, 0x38));
        assertEquals(Math.scalb(1.0, -9), dec(Dtype.F8_E4M3, 0x01)); // min subnormal 2^-9
    }

    @Test
    void fp8E5m2_hasInfinities() {
        // E5M2: max normal 57344 = S.11110.11, inf = S.11111.00.
        assertEquals(57344.0, dec(Dtype.F8_E5M2, 0x7b));
        assertEquals(Double.NEGATIVE_INFINITY, dec(Dtype.F8_E5M2, 0xfc));
        assertEquals(1.0, dec(Dtype.F8_E5M2, 0x3c));
    }

    @Test
    void fp8Fnuz_negativeZeroPatternIsNaN() {
        assertTrue(Double.isNaN(dec(Dtype.F8_E4M3FNUZ, 0x80)));
        // FNUZ bias is one higher: 0x40 = exponent 8, bias 8 → 1.0.
        assertEquals(1.0, dec(Dtype.F8_E4M3FNUZ, 0x40));
        assertEquals(1.0, dec(Dtype.F8_E5M2FNUZ, 0x40));
    }

    @Test
    void e8m0_isPowerOfTwoScale() {
        assertEquals(1.0, dec(Dtype.F8_E8M0, 127));
        assertEquals(0.5, dec(Dtype.F8_E8M0, 126));
        assertTrue(Double.isNaN(dec(Dtype.F8_E8M0, 0xff)));
    }

    @Test
    void parse_isExactAndCaseSensitive() {
        assertEquals(Dtype.BF16, Dtype.parse("BF16").orElseThrow());
        assertTrue(Dtype.parse("bf16").isEmpty());
        assertTrue(Dtype.parse("F128").isEmpty());
    }
}
