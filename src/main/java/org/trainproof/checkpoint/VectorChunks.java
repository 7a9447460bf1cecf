package org.trainproof.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector kernel of {@link FloatChunks} (JDK incubator module {@code jdk.incubator.vector}; loaded
 * only when the JVM runs with {@code --add-modules jdk.incubator.vector}, as {@code bin/trainproof}
 * does for the commands that hash checkpoints, and only on a 512-bit vector unit).
 *
 * <p>Per 16 elements: two 8-element loads widened to int, shifted (BF16) and converted to double feed
 * the Σx and Σx² lanes (lanes 0–7 and 8–15 are the global indices ≡ 0–7 and 8–15 mod 16, because a
 * word starts at a multiple of 64) and, XORed with the word's sign bits (a 256-entry table of 8 sign
 * masks), the sketch lanes; min, max and zero detection run on the raw codes, 32 BF16 or 16 F32 per
 * operation, in the signed key order of {@link FloatChunks#key}. Every add goes to the same lane in
 * the same order as the scalar loop, so the results are bit-identical.
 *
 * <p>The loads go through {@link VectorLoads}, which the multi-release jar carries in two editions:
 * {@code fromByteBuffer} for JDK 17 and {@code fromMemorySegment} for JDK 25 (which removed the
 * former); the arithmetic here is shared, so both give the same bits ({@code Jdk25KernelTest}).
 *
 * <p>Measured on the 2-core Xeon here (AVX-512), BF16, one thread ({@code ManifestCostMain}): read 0.14
 * CPU-s/GB, read + this kernel 0.39, so the kernel ≈ 0.25; the scalar sketch + code-histogram pass it
 * replaced cost 0.80 with the read (docs/performance.md).
 */
final class VectorChunks implements FloatChunks.Kernel {
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Double> D512 = DoubleVector.SPECIES_512;
    private static final VectorSpecies<Long> L512 = LongVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** SIGN[8·b + k] = bit k of b in the sign bit of a double: the sign masks of 8 elements. */
    private static final long[] SIGN = new long[256 * 8];
    /** key16 of the BF16 codes of +Inf and −Inf: a key at or beyond them is NaN or ±Inf. */
    private static final short KEY16_POS_INF = 0x7F80;
    private static final short KEY16_NEG_INF = (short) (0xFF80 ^ 0x7FFF);

    static {
        for (int b = 0; b < 256; b++) {
            for (int k = 0; k < 8; k++) SIGN[8 * b + k] = (long) ((b >>> k) & 1) << 63;
        }
    }

    VectorChunks() {
        if (DoubleVector.SPECIES_PREFERRED.vectorBitSize() < 512) {
            throw new UnsupportedOperationException("preferred vector size " + DoubleVector.SPECIES_PREFERRED.vectorBitSize() + " bits");
        }
        // a first use here, so a broken installation fails now (and the scalar loops are used)
        ByteBuffer probe = ByteBuffer.allocateDirect(256).order(LE);
        FloatChunks.Acc a = new FloatChunks.Acc();
        a.reset();
        pass1(true, probe, 0, 0, 64, 0, a, new TensorSketch.Builder("probe", 64));
    }

    @Override
    public String describe() {
        return "vector (jdk.incubator.vector, " + DoubleVector.SPECIES_PREFERRED.vectorBitSize() + "-bit, " + VectorLoads.edition() + ")";
    }

    private static DoubleVector bf16Half(Object b, int byteOff) {
        IntVector v = ((IntVector) VectorLoads.shorts(S128, b, byteOff).convertShape(VectorOperators.S2I, I256, 0))
                .lanewise(VectorOperators.LSHL, 16);
        return (DoubleVector) v.reinterpretAsFloats().convertShape(VectorOperators.F2D, D512, 0);
    }

    private static DoubleVector f32Half(Object b, int byteOff) {
        return (DoubleVector) VectorLoads.ints(I256, b, byteOff).reinterpretAsFloats().convertShape(VectorOperators.F2D, D512, 0);
    }

    @Override
    public boolean pass1(boolean bf16, ByteBuffer b, int off, int i0, int i1, long first, FloatChunks.Acc acc, TensorSketch.Builder sk) {
        return bf16 ? bf16Pass1(b, off, i0, i1, first, acc, sk) : f32Pass1(b, off, i0, i1, first, acc, sk);
    }

    private static boolean bf16Pass1(ByteBuffer b, int off, int i0, int i1, long first, FloatChunks.Acc acc, TensorSketch.Builder sk) {
        final Object src = VectorLoads.source(b);
        final double[] lanes = sk.lanes();
        DoubleVector s0 = DoubleVector.fromArray(D512, acc.s, 0), s1 = DoubleVector.fromArray(D512, acc.s, 8);
        DoubleVector q0 = DoubleVector.fromArray(D512, acc.q, 0), q1 = DoubleVector.fromArray(D512, acc.q, 8);
        ShortVector kmin = ShortVector.broadcast(S512, Short.MAX_VALUE), kmax = ShortVector.broadcast(S512, Short.MIN_VALUE);
        ShortVector amin = ShortVector.broadcast(S512, Short.MAX_VALUE);
        for (int i = i0; i < i1; i += 64) {
            long g = first + i;
            long h = sk.signWord(g >>> 6);
            int base = sk.lane(g);
            for (int k = 0; k < 64; k += 32) {
                int o = off + 2 * (i + k);
                ShortVector c = VectorLoads.shorts(S512, src, o);
                amin = amin.min(c.and((short) 0x7FFF));
                ShortVector key = c.lanewise(VectorOperators.XOR, c.lanewise(VectorOperators.ASHR, 15).lanewise(VectorOperators.LSHR, 1));
                kmin = kmin.min(key);
                kmax = kmax.max(key);
                for (int u = 0; u < 32; u += 16) {
                    int e = o + 2 * u;
                    DoubleVector d0 = bf16Half(src, e);
                    DoubleVector d1 = bf16Half(src, e + 16);
                    s0 = s0.add(d0);
                    s1 = s1.add(d1);
                    q0 = d0.fma(d0, q0);
                    q1 = d1.fma(d1, q1);
                    int sb = (int) (h >>> (k + u));
                    int l = base + k + u;
                    addSigned(lanes, l, d0, (sb & 0xFF) << 3);
                    addSigned(lanes, l + 8, d1, (sb >>> 8 & 0xFF) << 3);
                }
            }
            if (((i - i0) & 0xFFF) == 0xFC0 || i + 64 >= i1) {
                // every 4096 elements: stop early on NaN/±Inf (the scalar loops redo the chunk)
                if (kmax.reduceLanes(VectorOperators.MAX) >= KEY16_POS_INF || kmin.reduceLanes(VectorOperators.MIN) <= KEY16_NEG_INF) {
                    return false;
                }
            }
        }
        s0.intoArray(acc.s, 0);
        s1.intoArray(acc.s, 8);
        q0.intoArray(acc.q, 0);
        q1.intoArray(acc.q, 8);
        int k16min = kmin.reduceLanes(VectorOperators.MIN), k16max = kmax.reduceLanes(VectorOperators.MAX);
        acc.keyMin = Math.min(acc.keyMin, key32OfKey16(k16min));
        acc.keyMax = Math.max(acc.keyMax, key32OfKey16(k16max));
        acc.absMin = Math.min(acc.absMin, amin.reduceLanes(VectorOperators.MIN) << 16);
        return true;
    }

    /** The 32-bit key of the BF16 code whose 16-bit key is k16 (both orders agree). */
    private static int key32OfKey16(int k16) {
        short k = (short) k16;
        int code = (k ^ ((k >> 15) >>> 17)) & 0xFFFF; // (k >> 15) is 0 or −1; >>> 17 keeps 0x7FFF
        return FloatChunks.key(code << 16);
    }

    private static void addSigned(double[] lanes, int l, DoubleVector d, int signRow) {
        LongVector sign = LongVector.fromArray(L512, SIGN, signRow);
        DoubleVector signed = d.reinterpretAsLongs().lanewise(VectorOperators.XOR, sign).reinterpretAsDoubles();
        DoubleVector.fromArray(D512, lanes, l).add(signed).intoArray(lanes, l);
    }

    private static boolean f32Pass1(ByteBuffer b, int off, int i0, int i1, long first, FloatChunks.Acc acc, TensorSketch.Builder sk) {
        final Object src = VectorLoads.source(b);
        final double[] lanes = sk.lanes();
        DoubleVector s0 = DoubleVector.fromArray(D512, acc.s, 0), s1 = DoubleVector.fromArray(D512, acc.s, 8);
        DoubleVector q0 = DoubleVector.fromArray(D512, acc.q, 0), q1 = DoubleVector.fromArray(D512, acc.q, 8);
        IntVector kmin = IntVector.broadcast(I512, Integer.MAX_VALUE), kmax = IntVector.broadcast(I512, Integer.MIN_VALUE);
        IntVector amin = IntVector.broadcast(I512, Integer.MAX_VALUE);
        for (int i = i0; i < i1; i += 64) {
            long g = first + i;
            long h = sk.signWord(g >>> 6);
            int base = sk.lane(g);
            for (int k = 0; k < 64; k += 16) {
                int o = off + 4 * (i + k);
                IntVector v = VectorLoads.ints(I512, src, o);
                amin = amin.min(v.and(0x7FFFFFFF));
                IntVector key = v.lanewise(VectorOperators.XOR, v.lanewise(VectorOperators.ASHR, 31).lanewise(VectorOperators.LSHR, 1));
                kmin = kmin.min(key);
                kmax = kmax.max(key);
                DoubleVector d0 = f32Half(src, o);
                DoubleVector d1 = f32Half(src, o + 32);
                s0 = s0.add(d0);
                s1 = s1.add(d1);
                q0 = d0.fma(d0, q0);
                q1 = d1.fma(d1, q1);
                int sb = (int) (h >>> k);
                int l = base + k;
                addSigned(lanes, l, d0, (sb & 0xFF) << 3);
                addSigned(lanes, l + 8, d1, (sb >>> 8 & 0xFF) << 3);
            }
            if (((i - i0) & 0xFFF) == 0xFC0 || i + 64 >= i1) {
                if (kmax.reduceLanes(VectorOperators.MAX) >= FloatChunks.KEY_POS_INF
                        || kmin.reduceLanes(VectorOperators.MIN) <= FloatChunks.KEY_NEG_INF) {
                    return false;
                }
            }
        }
        s0.intoArray(acc.s, 0);
        s1.intoArray(acc.s, 8);
        q0.intoArray(acc.q, 0);
        q1.intoArray(acc.q, 8);
        acc.keyMin = Math.min(acc.keyMin, kmin.reduceLanes(VectorOperators.MIN));
        acc.keyMax = Math.max(acc.keyMax, kmax.reduceLanes(VectorOperators.MAX));
        acc.absMin = Math.min(acc.absMin, amin.reduceLanes(VectorOperators.MIN));
        return true;
    }

    @Override
    public void deviations(boolean bf16, ByteBuffer b, int off, int i0, int i1, double mean, double[] lanes) {
        final Object src = VectorLoads.source(b);
        DoubleVector m = DoubleVector.broadcast(D512, mean);
        DoubleVector q0 = DoubleVector.fromArray(D512, lanes, 0), q1 = DoubleVector.fromArray(D512, lanes, 8);
        int es = bf16 ? 2 : 4;
        for (int i = i0; i < i1; i += 16) {
            int o = off + es * i;
            DoubleVector d0 = (bf16 ? bf16Half(src, o) : f32Half(src, o)).sub(m);
            DoubleVector d1 = (bf16 ? bf16Half(src, o + 8 * es) : f32Half(src, o + 8 * es)).sub(m);
            q0 = q0.add(d0.mul(d0)); // multiply, then add: the scalar loop's two roundings
            q1 = q1.add(d1.mul(d1));
        }
        q0.intoArray(lanes, 0);
        q1.intoArray(lanes, 8);
    }

    @Override
    public long zeros(boolean bf16, ByteBuffer b, int off, int i0, int i1) {
        final Object src = VectorLoads.source(b);
        long z = 0;
        if (bf16) {
            for (int i = i0; i < i1; i += 32) {
                ShortVector c = VectorLoads.shorts(S512, src, off + 2 * i);
                z += c.and((short) 0x7FFF).compare(VectorOperators.EQ, (short) 0).trueCount();
            }
        } else {
            for (int i = i0; i < i1; i += 16) {
                IntVector v = VectorLoads.ints(I512, src, off + 4 * i);
                z += v.and(0x7FFFFFFF).compare(VectorOperators.EQ, 0).trueCount();
            }
        }
        return z;
    }
}
