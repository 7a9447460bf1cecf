package org.trainproof.merkle;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.bytes.Digest;

/**
 * RFC 9162 §2.1.2 streaming tree: keeps only the roots of the complete subtrees (O(log n) memory),
 * so an audit can recompute every stored hash and every root in one pass over the leaves.
 */
public final class TreeBuilder {
    private final List<Digest> stack = new ArrayList<>();
    private long size;

    public long size() {
        return size;
    }

    /**
     * Appends the next leaf hash; returns the stored hashes this record adds (the leaf hash, then
     * each completed subtree), exactly what {@link Tree#storedHashesFor} returns.
     */
    public List<Digest> append(Digest leaf) {
        List<Digest> out = new ArrayList<>(2);
        out.add(leaf);
        Digest h = leaf;
        int merges = Long.numberOfTrailingZeros(size + 1);
        for (int i = 0; i < merges; i++) {
            Digest left = stack.remove(stack.size() - 1);
            h = Hashes.node(left, h);
            out.add(h);
        }
        stack.add(h);
        size++;
        return out;
    }

    /** The root of the leaves appended so far. */
    public Digest root() {
        if (stack.isEmpty()) return Hashes.EMPTY_ROOT;
        Digest h = stack.get(stack.size() - 1);
        for (int i = stack.size() - 2; i >= 0; i--) {
            h = Hashes.node(stack.get(i), h);
        }
        return h;
    }
}
