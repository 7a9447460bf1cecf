package org.trainproof.checkpoint;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * How {@link VectorChunks} loads vectors from a chunk, JDK 25 edition (META-INF/versions/25 of the
 * multi-release jar, compiled by JDK 25's javac when the build finds one: pom.xml, profile
 * {@code java25-kernel}): {@code fromMemorySegment} over the chunk buffer, since JDK 25 has no
 * {@code fromByteBuffer}. Same offsets and bounds as the JDK 17 edition, so the same results at about
 * the same cost (docs/performance.md "JDK 25").
 */
final class VectorLoads {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorLoads() {}

    /** A segment over the chunk buffer from index 0 to its limit: absolute offsets, as fromByteBuffer took. */
    static Object source(ByteBuffer b) {
        return MemorySegment.ofBuffer(b.duplicate().position(0));
    }

    static ShortVector shorts(VectorSpecies<Short> s, Object src, int byteOff) {
        return ShortVector.fromMemorySegment(s, (MemorySegment) src, byteOff, LE);
    }

    static IntVector ints(VectorSpecies<Integer> s, Object src, int byteOff) {
        return IntVector.fromMemorySegment(s, (MemorySegment) src, byteOff, LE);
    }

    /** Which edition runs, for the kernel's description. */
    static String edition() {
        return "MemorySegment loads, JDK 25 edition";
    }
}
