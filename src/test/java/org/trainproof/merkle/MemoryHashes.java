package org.trainproof.merkle;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.bytes.Digest;

/** Stored hashes in memory, appended through {@link Tree#storedHashesFor}, as the ledger does. */
final class MemoryHashes implements HashReader {
    final List<Digest> stored = new ArrayList<>();
    long size;

    void appendLeafData(byte[] data) {
        appendLeafHash(Hashes.leaf(data));
    }

    void appendLeafHash(Digest leaf) {
        if (stored.size() != StoredHashIndex.index(0, size)) throw new AssertionError("stored hash layout drifted");
        stored.addAll(Tree.storedHashesFor(size, leaf, this));
        size++;
        if (stored.size() != StoredHashIndex.count(size)) throw new AssertionError("count mismatch at " + size);
    }

    @Override
    public Digest[] read(long[] indexes) {
        Digest[] out = new Digest[indexes.length];
        for (int i = 0; i < indexes.length; i++) out[i] = stored.get((int) indexes[i]);
        return out;
    }

    static MemoryHashes ofBytesLeaves(int n) {
        MemoryHashes m = new MemoryHashes();
        for (int i = 0; i < n; i++) m.appendLeafData(new byte[] {(byte) i});
        return m;
    }
}
