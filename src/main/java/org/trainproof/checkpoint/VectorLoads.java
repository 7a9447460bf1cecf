package org.trainproof.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * How {@link VectorChunks} loads vectors from a chunk, JDK 17 edition: {@code fromByteBuffer}, which
 * later JDKs removed. The multi-release jar carries a second edition for JDK 25 and later
 * ({@code src/main/java25}, {@code fromMemorySegment}); everything else in the kernel is shared. Any
 * other JDK loads this edition; where it lacks {@code fromByteBuffer} (as JDK 25 does when the jar was
 * built without JDK 25's compiler) the kernel's probe fails and the scalar loops run, with the same
 * results (the manifest commands print which kernel ran).
 */
final class VectorLoads {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorLoads() {}

    /** What the loads below read from: the chunk buffer itself here (absolute offsets, up to its limit). */
    static Object source(ByteBuffer b) {
        return b;
    }

    static ShortVector shorts(VectorSpecies<Short> s, Object src, int byteOff) {
        return ShortVector.fromByteBuffer(s, (ByteBuffer) src, byteOff, LE);
    }

    static IntVector ints(VectorSpecies<Integer> s, Object src, int byteOff) {
        return IntVector.fromByteBuffer(s, (ByteBuffer) src, byteOff, LE);
    }

    /** Which edition runs, for the kernel's description. */
    static String edition() {
        return "ByteBuffer loads, JDK 17 edition";
    }
}
