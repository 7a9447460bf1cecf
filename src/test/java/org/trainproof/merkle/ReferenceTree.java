package org.trainproof.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The literal recursive definitions of RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 (MTH, PATH, PROOF),
 * written independently of {@link Tree}, for checking the fast implementation at every small size.
 */
final class ReferenceTree {
    private ReferenceTree() {}

    static byte[] sha(byte prefix, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            if (prefix >= 0) md.update(prefix);
            for (byte[] p : parts) md.update(p);
            return md.digest();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static int k(int n) {
        int k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }

    static byte[] mth(List<byte[]> d) {
        if (d.isEmpty()) return sha((byte) -1);
        if (d.size() == 1) return sha((byte) 0, d.get(0));
        int k = k(d.size());
        return sha((byte) 1, mth(d.subList(0, k)), mth(d.subList(k, d.size())));
    }

    static List<byte[]> path(int m, List<byte[]> d) {
        List<byte[]> out = new ArrayList<>();
        if (d.size() == 1) return out;
        int k = k(d.size());
        if (m < k) {
            out.addAll(path(m, d.subList(0, k)));
            out.add(mth(d.subList(k, d.size())));
        } else {
            out.addAll(path(m - k, d.subList(k, d.size())));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    static List<byte[]> proof(int m, List<byte[]> d) {
        return subproof(m, d, true);
    }

    private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
        List<byte[]> out = new ArrayList<>();
        int n = d.size();
        if (m == n) {
            if (!b) out.add(mth(d));
            return out;
        }
        int k = k(n);
        if (m <= k) {
            out.addAll(subproof(m, d.subList(0, k), b));
            out.add(mth(d.subList(k, n)));
        } else {
            out.addAll(subproof(m - k, d.subList(k, n), false));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }
}
