package org.trainproof.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.trainproof.testing.SharedVectors.hex;
import static org.trainproof.testing.SharedVectors.hexList;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.trainproof.bytes.Digest;
import org.trainproof.bytes.Hex;
import org.trainproof.testing.SharedVectors;
import org.trainproof.testing.SharedVectors.Collector;

/** Every Merkle vector file in ../shared/vectors/merkle, each case in a loop that fails on zero cases. */
class MerkleVectorsTest {

    private static List<String> hexOf(List<Digest> ds) {
        List<String> out = new ArrayList<>();
        for (Digest d : ds) out.add(d.toString());
        return out;
    }

    private static List<String> texts(JsonNode arr) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : arr) out.add(n.asText());
        return out;
    }

    @Test
    void rfc6962Hasher_allVectors_match() {
        JsonNode v = SharedVectors.load("rfc6962_hasher.json");
        Collector c = new Collector("rfc6962_hasher");
        for (JsonNode t : v.get("vectors")) {
            String want = t.get("expected_hex").asText();
            String got = switch (t.get("op").asText()) {
                case "empty_root" -> Hashes.EMPTY_ROOT.toString();
                case "leaf_hash" -> Hashes.leaf(hex(t.get("input_hex"))).toString();
                case "node_hash" -> Hex.encode(Hashes.nodeRaw(hex(t.get("left_hex")), hex(t.get("right_hex"))));
                default -> "unknown op " + t.get("op");
            };
            c.check(want.equals(got), t.get("name").asText() + ": " + got);
        }
        c.assertAll(5);
    }

    @Test
    void referenceTree8_rootsLeavesAndNodes_match() {
        JsonNode v = SharedVectors.load("reference_tree_8.json");
        Collector c = new Collector("reference_tree_8");
        MemoryHashes m = new MemoryHashes();
        TreeBuilder b = new TreeBuilder();
        JsonNode leaves = v.get("leaves_hex");
        JsonNode roots = v.get("roots_by_size");
        c.check(Tree.root(0, m).toString().equals(roots.get("0").asText()), "root 0");
        for (int i = 0; i < leaves.size(); i++) {
            Digest leaf = Hashes.leaf(hex(leaves.get(i)));
            c.check(leaf.toString().equals(v.get("leaf_hashes_hex").get(i).asText()), "leaf " + i);
            m.appendLeafHash(leaf);
            b.append(leaf);
            String want = roots.get(String.valueOf(i + 1)).asText();
            c.check(Tree.root(i + 1, m).toString().equals(want), "stored-hash root " + (i + 1));
            c.check(b.root().toString().equals(want), "streaming root " + (i + 1));
        }
        JsonNode levels = v.get("node_hashes_by_level");
        for (int level = 0; level < levels.size(); level++) {
            for (int i = 0; i < levels.get(level).size(); i++) {
                String got = m.stored.get((int) StoredHashIndex.index(level, i)).toString();
                c.check(got.equals(levels.get(level).get(i).asText()), "node level " + level + " #" + i);
            }
        }
        c.assertAll(20);
    }

    @Test
    void katProofs8leaf_generatedAndVerified() {
        JsonNode v = SharedVectors.load("kat_proofs_8leaf.json");
        JsonNode tree = SharedVectors.load("reference_tree_8.json");
        MemoryHashes m = new MemoryHashes();
        for (JsonNode l : tree.get("leaves_hex")) m.appendLeafData(hex(l));
        Collector c = new Collector("kat_proofs_8leaf");
        List<JsonNode> incl = new ArrayList<>();
        v.get("inclusion").forEach(incl::add);
        v.get("rfc9162_section_2_1_5_examples").get("inclusion").forEach(incl::add);
        for (JsonNode t : incl) {
            long i = t.get("leaf_index").asLong();
            long n = t.get("tree_size").asLong();
            c.check(hexOf(Tree.inclusionProof(i, n, m)).equals(texts(t.get("proof_hex"))), "inclusion generate " + i + "@" + n);
            try {
                Proofs.verifyInclusion(i, n, hex(t.get("leaf_hash_hex")), hexList(t.get("proof_hex")), hex(t.get("root_hex")));
                c.pass();
            } catch (ProofException e) {
                c.fail("inclusion verify " + i + "@" + n + ": " + e.getMessage());
            }
        }
        List<JsonNode> cons = new ArrayList<>();
        v.get("consistency").forEach(cons::add);
        v.get("rfc9162_section_2_1_5_examples").get("consistency").forEach(cons::add);
        for (JsonNode t : cons) {
            long a = t.get("size1").asLong();
            long b = t.get("size2").asLong();
            c.check(hexOf(Tree.consistencyProof(a, b, m)).equals(texts(t.get("proof_hex"))), "consistency generate " + a + "->" + b);
            try {
                Proofs.verifyConsistency(a, b, hex(t.get("root1_hex")), hex(t.get("root2_hex")), hexList(t.get("proof_hex")));
                c.pass();
            } catch (ProofException e) {
                c.fail("consistency verify " + a + "->" + b + ": " + e.getMessage());
            }
        }
        c.assertAll(34);
    }

    @Test
    void inclusionProbes_allExpectationsHold() {
        JsonNode v = SharedVectors.load("inclusion_probes.json");
        Collector c = new Collector("inclusion_probes");
        for (JsonNode t : v.get("probes")) {
            boolean wantError = t.get("want_error").asBoolean();
            String err = null;
            try {
                Proofs.verifyInclusion(t.get("leaf_index").asLong(), t.get("tree_size").asLong(), hex(t.get("leaf_hash_hex")),
                        hexList(t.get("proof_hex")), hex(t.get("root_hex")));
            } catch (ProofException e) {
                err = e.getMessage();
            }
            c.check(wantError == (err != null), t.get("file").asText() + " want_error=" + wantError + " got " + err);
        }
        c.assertAll(98);
    }

    @Test
    void consistencyProbes_allExpectationsHold() {
        JsonNode v = SharedVectors.load("consistency_probes.json");
        Collector c = new Collector("consistency_probes");
        for (JsonNode t : v.get("probes")) {
            // We adopt upstream's policy (size1 = 0 rejected), so want_error applies as given.
            boolean wantError = t.get("want_error").asBoolean();
            String err = null;
            try {
                Proofs.verifyConsistency(t.get("size1").asLong(), t.get("size2").asLong(), hex(t.get("root1_hex")),
                        hex(t.get("root2_hex")), hexList(t.get("proof_hex")));
            } catch (ProofException e) {
                err = e.getMessage();
            }
            c.check(wantError == (err != null), t.get("file").asText() + " want_error=" + wantError + " got " + err);
        }
        c.assertAll(98);
    }

    @Test
    void derivedBytesTree_rootsProofsAndLargeCases_match() {
        JsonNode v = SharedVectors.load("derived_bytes_tree.json");
        MemoryHashes m = MemoryHashes.ofBytesLeaves(130);
        TreeBuilder b = new TreeBuilder();
        Collector c = new Collector("derived_bytes_tree");
        JsonNode roots = v.get("roots_by_size");
        c.check(Tree.root(0, m).toString().equals(roots.get("0").asText()), "root 0");
        for (int n = 1; n <= 130; n++) {
            b.append(Hashes.leaf(new byte[] {(byte) (n - 1)}));
            String want = roots.get(String.valueOf(n)).asText();
            c.check(Tree.root(n, m).toString().equals(want), "root " + n);
            c.check(b.root().toString().equals(want), "streaming root " + n);
        }
        List<JsonNode> incl = new ArrayList<>();
        List<JsonNode> cons = new ArrayList<>();
        v.get("inclusion").forEach(incl::add);
        v.get("consistency").forEach(cons::add);
        for (JsonNode t : v.get("extra_large_index_cases")) {
            (t.get("kind").asText().equals("inclusion") ? incl : cons).add(t);
        }
        for (JsonNode t : incl) {
            long i = t.get("leaf_index").asLong();
            long n = t.get("tree_size").asLong();
            List<String> want = texts(t.get("proof_hex"));
            c.check(hexOf(Tree.inclusionProof(i, n, m)).equals(want), "inclusion " + i + "@" + n);
            try {
                Proofs.verifyInclusion(i, n, Hashes.leaf(new byte[] {(byte) i}).toByteArray(), hexList(t.get("proof_hex")),
                        hex(roots.get(String.valueOf(n))));
                c.pass();
            } catch (ProofException e) {
                c.fail("inclusion verify " + i + "@" + n + ": " + e.getMessage());
            }
        }
        for (JsonNode t : cons) {
            long a = t.get("size1").asLong();
            long n = t.get("size2").asLong();
            c.check(hexOf(Tree.consistencyProof(a, n, m)).equals(texts(t.get("proof_hex"))), "consistency " + a + "->" + n);
            try {
                Proofs.verifyConsistency(a, n, hex(roots.get(String.valueOf(a))), hex(roots.get(String.valueOf(n))),
                        hexList(t.get("proof_hex")));
                c.pass();
            } catch (ProofException e) {
                c.fail("consistency verify " + a + "->" + n + ": " + e.getMessage());
            }
        }
        c.assertAll(131 + 130 + 300 * 2 + 276 * 2);
    }

    /**
     * The accumulated digests of draft-ietf-plants-merkle-tree-certs "Subtree Test Vectors" for
     * subtree hashes and subtree inclusion proofs (RFC 9162 reading: MTH(D[start:end]) and
     * PATH(index - start, D[start:end])). Rows with start = 0 come from {@link Tree} (the ledger's
     * code); start > 0 rows from the reference definitions. The consistency digest needs the
     * draft's SUBTREE_PROOF for start > 0, which the ledger does not implement; not reproduced.
     */
    @Test
    void derivedBytesTree_accumulatedSubtreeDigests_reproduced() throws Exception {
        JsonNode v = SharedVectors.load("derived_bytes_tree.json").get("accumulated_digests");
        MemoryHashes m = MemoryHashes.ofBytesLeaves(130);
        List<byte[]> d = new ArrayList<>();
        for (int i = 0; i < 130; i++) d.add(new byte[] {(byte) i});
        MessageDigest hashes = MessageDigest.getInstance("SHA-256");
        MessageDigest proofs = MessageDigest.getInstance("SHA-256");
        int rows = 0;
        for (int end = 0; end <= 130; end++) {
            for (int start = 0; start <= end; start++) {
                if (!subtreeValid(start, end)) continue;
                byte[] h = start == 0 ? Tree.root(end, m).toByteArray() : ReferenceTree.mth(d.subList(start, end));
                hashes.update(String.format("[%d, %d) %s\n", start, end, Hex.encode(h)).getBytes(StandardCharsets.US_ASCII));
                rows++;
                for (int index = start; index < end; index++) {
                    StringBuilder line = new StringBuilder(String.format("%d [%d, %d)", index, start, end));
                    List<byte[]> p = start == 0 ? toBytes(Tree.inclusionProof(index, end, m))
                            : ReferenceTree.path(index - start, d.subList(start, end));
                    for (byte[] x : p) line.append(' ').append(Hex.encode(x));
                    proofs.update((line + "\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(rows > 700, "rows " + rows);
        assertEquals(v.get("subtree_hashes").asText(), Hex.encode(hashes.digest()));
        assertEquals(v.get("subtree_inclusion_proofs").asText(), Hex.encode(proofs.digest()));
    }

    private static boolean subtreeValid(long start, long end) {
        if (start == 0 || start == end) return true;
        long l = end - start;
        long bc = l <= 1 ? 1 : Long.highestOneBit(l - 1) << 1;
        return (start & (bc - 1)) == 0;
    }

    private static List<byte[]> toBytes(List<Digest> ds) {
        List<byte[]> out = new ArrayList<>();
        for (Digest x : ds) out.add(x.toByteArray());
        return out;
    }

    @Test
    void tlogTilesExamples_pathsAndTileCounts_match() {
        JsonNode v = SharedVectors.load("tlog_tiles_examples.json");
        Collector c = new Collector("tlog_tiles_examples");
        for (JsonNode t : v.get("tile_index_path_encoding")) {
            c.check(Tiles.indexPath(t.get("index").asLong()).equals(t.get("path").asText()), "path " + t.get("index"));
        }
        for (JsonNode t : v.get("tiles_for_tree_size")) {
            long size = t.get("tree_size").asLong();
            for (JsonNode l : t.get("per_level")) {
                int level = l.get("level").asInt();
                c.check(Tiles.fullTiles(size, level) == l.get("full_tiles").asLong(), "full tiles " + size + " level " + level);
                c.check(Tiles.partialWidth(size, level) == l.get("partial_width").asInt(), "partial width " + size + " level " + level);
            }
        }
        c.assertAll(14);
        assertEquals(v.get("constants").get("full_tile_width_hashes").asInt(), Tiles.WIDTH);
    }

    @Test
    void storedHashIndex_splitInvertsIndex() {
        for (int level = 0; level < 8; level++) {
            for (long n = 0; n < 300; n++) {
                long idx = StoredHashIndex.index(level, n);
                assertArrayEquals(new long[] {level, n}, StoredHashIndex.split(idx), "level " + level + " n " + n);
            }
        }
        assertEquals(0, StoredHashIndex.count(0));
        assertEquals(Arrays.asList(1L, 3L, 4L, 7L), Arrays.asList(StoredHashIndex.count(1), StoredHashIndex.count(2),
                StoredHashIndex.count(3), StoredHashIndex.count(4)));
    }
}
