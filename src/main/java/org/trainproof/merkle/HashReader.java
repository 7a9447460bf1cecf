package org.trainproof.merkle;

import org.trainproof.bytes.Digest;

/** Reads stored hashes by stored-hash index ({@link StoredHashIndex}). */
@FunctionalInterface
public interface HashReader {
    /** Returns the hashes at {@code indexes}, in the same order; throws if any is missing. */
    Digest[] read(long[] indexes);
}
