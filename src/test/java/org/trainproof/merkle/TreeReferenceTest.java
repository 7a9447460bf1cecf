package org.trainproof.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.trainproof.bytes.Digest;
import org.trainproof.bytes.Hex;

/** The stored-hash tree against the literal RFC 9162 definitions at every small size, and proof mutations. */
class TreeReferenceTest {
    private static final int N = 70;

    private static List<String> hex(List<byte[]> l) {
        List<String> out = new ArrayList<>();
        for (byte[] b : l) out.add(Hex.encode(b));
        return out;
    }

    private static List<String> hexD(List<Digest> l) {
        List<String> out = new ArrayList<>();
        for (Digest b : l) out.add(b.toString());
        return out;
    }

    private static List<byte[]> bytes(List<Digest> l) {
        List<byte[]> out = new ArrayList<>();
        for (Digest d : l) out.add(d.toByteArray());
        return out;
    }

    @Test
    void everySize_rootsAndProofs_equalReference() throws ProofException {
        List<byte[]> d = new ArrayList<>();
        Random r = new Random(42);
        MemoryHashes m = new MemoryHashes();
        for (int i = 0; i < N; i++) {
            byte[] leaf = new byte[r.nextInt(5)];
            r.nextBytes(leaf);
            d.add(leaf);
            m.appendLeafData(leaf);
        }
        for (int n = 1; n <= N; n++) {
            List<byte[]> dn = d.subList(0, n);
            byte[] root = ReferenceTree.mth(dn);
            assertEquals(Hex.encode(root), Tree.root(n, m).toString(), "root " + n);
            for (int i = 0; i < n; i++) {
                List<Digest> p = Tree.inclusionProof(i, n, m);
                assertEquals(hex(ReferenceTree.path(i, dn)), hexD(p), "PATH(" + i + ", " + n + ")");
                Proofs.verifyInclusion(i, n, Hashes.leaf(d.get(i)).toByteArray(), bytes(p), root);
            }
            for (int a = 1; a < n; a++) {
                List<Digest> p = Tree.consistencyProof(a, n, m);
                assertEquals(hex(ReferenceTree.proof(a, dn)), hexD(p), "PROOF(" + a + ", " + n + ")");
                Proofs.verifyConsistency(a, n, ReferenceTree.mth(d.subList(0, a)), root, bytes(p));
            }
        }
    }

    @Test
    void inclusionProof_everySingleMutation_fails() {
        MemoryHashes m = MemoryHashes.ofBytesLeaves(40);
        int mutations = 0;
        for (int n = 1; n <= 40; n += 3) {
            byte[] root = Tree.root(n, m).toByteArray();
            for (int i = 0; i < n; i++) {
                byte[] leaf = Hashes.leaf(new byte[] {(byte) i}).toByteArray();
                List<byte[]> p = bytes(Tree.inclusionProof(i, n, m));
                for (int k = 0; k < p.size(); k++) {
                    List<byte[]> q = new ArrayList<>(p);
                    byte[] e = q.get(k).clone();
                    e[k % 32] ^= 1;
                    q.set(k, e);
                    int ii = i;
                    int nn = n;
                    assertThrows(ProofException.class, () -> Proofs.verifyInclusion(ii, nn, leaf, q, root), "bit flip " + k);
                    mutations++;
                }
                int ii = i;
                int nn = n;
                if (i + 1 < n) assertThrows(ProofException.class, () -> Proofs.verifyInclusion(ii + 1, nn, leaf, p, root), "index+1 " + i + "@" + n);
                // size + 1 is not a mutation a proof can catch for every index (the left subtree path of
                // sizes 7 and 8 is the same); the size is bound by the signed checkpoint. size * 2 is.
                assertThrows(ProofException.class, () -> Proofs.verifyInclusion(ii, nn * 2, leaf, p, root), "size*2");
                List<byte[]> longer = new ArrayList<>(p);
                longer.add(leaf);
                assertThrows(ProofException.class, () -> Proofs.verifyInclusion(ii, nn, leaf, longer, root));
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(mutations > 300, "mutations " + mutations);
    }
}
