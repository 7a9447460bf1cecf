package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;
import org.trainproof.merkle.Hashes;
import org.trainproof.merkle.ProofException;
import org.trainproof.note.Checkpoint;
import org.trainproof.note.NoteException;
import org.trainproof.note.TlogProof;
import org.trainproof.note.VerifierKey;

/**
 * The offline proof file {@code prove} writes (schemas/proof-bundle.schema.json): a JSON object
 * holding the C2SP tlog-proof text verbatim ({@code tlog_proof}; its {@code extra} line carries the
 * entry's canonical bytes, so that string alone is a standalone {@code .tlog-proof}), and the entry
 * decoded for people ({@code entry}; must canonicalize to exactly those bytes). {@link #verify}
 * also accepts a bare tlog-proof text file.
 */
public final class ProofBundle {
    public static final String FORMAT = "trainproof-proof/v1";

    private ProofBundle() {}

    public static ObjectNode toJson(TlogProof proof, String origin) {
        byte[] bytes = proof.extra();
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("format", FORMAT);
        o.put("origin", origin);
        o.put("index", proof.index());
        o.put("leaf_hash", Hashes.leaf(bytes).toString());
        try {
            o.set("entry", CanonicalJson.parseObject(bytes));
        } catch (IOException e) {
            throw new IllegalStateException("stored entry bytes are not JSON", e);
        }
        o.put("tlog_proof", proof.format());
        return o;
    }

    /**
     * The bundle's own fields must state what the proof proves (they are not covered by the signature,
     * so a reader trusting them would be misled): origin = the signed checkpoint's origin, index = the
     * proven index, leaf_hash = SHA-256(0x00 || entry bytes).
     */
    private static void checkBundleFields(String where, ObjectNode bundle, TlogProof proof, Checkpoint cp, byte[] bytes) {
        String origin = bundle.get("origin").textValue();
        if (!origin.equals(cp.origin())) {
            throw TrainproofException.integrity(where, "the bundle's origin '" + origin + "' is not the signed checkpoint's origin '"
                    + cp.origin() + "'");
        }
        long index = bundle.get("index").asLong();
        if (!bundle.get("index").canConvertToLong() || index != proof.index()) {
            throw TrainproofException.integrity(where, "the bundle's index " + bundle.get("index") + " is not the proven index " + proof.index());
        }
        Digest leaf = Hashes.leaf(bytes);
        if (!leaf.toString().equals(bundle.get("leaf_hash").textValue())) {
            throw TrainproofException.integrity(where, "the bundle's leaf_hash " + bundle.get("leaf_hash").textValue()
                    + " is not SHA-256(0x00 || entry bytes) = " + leaf);
        }
    }

    /** Refuses a checkpoint note whose signature block repeats a line or a key (prove writes each signature once). */
    private static void checkSignatureLines(String where, String note) {
        int split = note.lastIndexOf("\n\n");
        if (split < 0) return; // malformed: the note parser reports it
        java.util.Set<String> lines = new java.util.HashSet<>();
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (String line : note.substring(split + 2).split("\n")) {
            String[] parts = line.split(" ");
            String key = line;
            try {
                byte[] blob = parts.length == 3 ? java.util.Base64.getDecoder().decode(parts[2]) : new byte[0];
                if (blob.length >= 4) key = parts[1] + " " + org.trainproof.bytes.Hex.encode(Arrays.copyOf(blob, 4));
            } catch (IllegalArgumentException e) {
                // Not base64: the note parser reports it.
            }
            if (!lines.add(line) || !keys.add(key)) {
                throw TrainproofException.integrity(where, "the checkpoint note repeats a signature line or key: " + line);
            }
        }
    }

    /** What a verified proof shows: the entry, the checkpoint it is under, and the matched file if any. */
    public record Verified(LedgerEntry entry, Checkpoint checkpoint, CheckpointBodies.FileDigest artifact) {}

    /**
     * Verifies a proof file offline: note signature by {@code key}, inclusion of the entry bytes, the
     * entry's own shape, and (if {@code artifact} is given) that the file's SHA-256 is one the entry
     * states. Exit 3 for a malformed file, exit 1 for anything that does not verify.
     */
    public static Verified verify(String where, byte[] file, VerifierKey key, Path artifact) {
        String text = new String(file, StandardCharsets.UTF_8);
        TlogProof proof;
        ObjectNode bundle = null;
        JsonNode bundleEntry = null;
        try {
            if (text.startsWith("{")) {
                ObjectNode o;
                try {
                    o = CanonicalJson.parseObject(file);
                } catch (IOException e) {
                    throw TrainproofException.badInput(where, "not a JSON proof bundle: " + e.getMessage().lines().findFirst().orElse(""));
                }
                List<String> errors = ProofBundleSchema.errors(o);
                if (!errors.isEmpty()) {
                    throw TrainproofException.badInput(where, "not a proof bundle per schemas/proof-bundle.schema.json: "
                            + String.join("; ", errors.subList(0, Math.min(5, errors.size())))
                            + (errors.size() > 5 ? " (and " + (errors.size() - 5) + " more)" : ""));
                }
                proof = TlogProof.parse(o.get("tlog_proof").textValue());
                bundle = o;
                bundleEntry = o.get("entry");
            } else {
                proof = TlogProof.parse(text);
            }
        } catch (NoteException e) {
            throw TrainproofException.badInput(where, e.getMessage());
        }
        checkSignatureLines(where, proof.checkpointNote());
        byte[] bytes = proof.extra();
        if (bytes == null) throw TrainproofException.badInput(where, "the tlog-proof has no 'extra' line with the entry bytes");
        byte[] bundleEntryBytes = null;
        if (bundleEntry != null) {
            try {
                bundleEntryBytes = CanonicalJson.canonicalize(bundleEntry);
            } catch (CanonicalJson.CanonicalizationException e) {
                // found by FuzzHarness: an integer beyond 2^53 in the bundle's entry was exit 4
                throw TrainproofException.badInput(where, "the bundle's entry cannot be a ledger entry: " + e.getMessage());
            }
        }
        if (bundleEntry != null && !Arrays.equals(bundleEntryBytes, bytes)) {
            throw TrainproofException.integrity(where, "the bundle's entry differs from the entry bytes in its tlog-proof");
        }
        LedgerEntry entry;
        try {
            entry = Entries.decode(bytes);
        } catch (Entries.EntryFormatException e) {
            throw TrainproofException.integrity(where, "entry bytes: " + e.getMessage());
        }
        if (entry.seq() != proof.index()) {
            throw TrainproofException.integrity(where, "entry states seq " + entry.seq() + " but the proof is for index " + proof.index());
        }
        Checkpoint cp;
        try {
            cp = proof.verify(Hashes.leaf(bytes), key).checkpoint();
        } catch (NoteException e) {
            throw TrainproofException.integrity(where, "checkpoint: " + e.getMessage());
        } catch (ProofException e) {
            throw TrainproofException.integrity(where, "inclusion proof: " + e.getMessage());
        }
        if (bundle != null) checkBundleFields(where, bundle, proof, cp, bytes);
        CheckpointBodies.FileDigest matched = null;
        if (artifact != null) {
            JsonNode c = entry.body().get("checkpoint");
            ObjectNode co = c instanceof ObjectNode oc ? oc : null;
            List<CheckpointBodies.FileDigest> files = CheckpointBodies.files(co);
            List<CheckpointBodies.NamedManifest> manifests = CheckpointBodies.manifests(co);
            if (!manifests.isEmpty() && CheckpointBodies.isCheckpoint(artifact)) {
                org.trainproof.checkpoint.CheckpointManifest now = org.trainproof.checkpoint.Manifests.of(artifact);
                for (CheckpointBodies.NamedManifest m : manifests) {
                    if (m.manifest() != null && (now.root().equals(m.manifest().root())
                            || m.manifest().files().stream().anyMatch(fm -> now.root().equals(fm.root())))) {
                        return new Verified(entry, cp, new CheckpointBodies.FileDigest(m.name(), -1, null));
                    }
                }
                throw TrainproofException.integrity(artifact, "checkpoint root " + now.root()
                        + " is not the root of any checkpoint in entry " + entry.seq());
            }
            if (files.isEmpty()) throw TrainproofException.integrity(where, "entry " + entry.seq() + " (" + entry.kind() + ") names no files");
            long[] size = new long[1];
            Digest d = CheckpointBodies.sha256(artifact, size);
            for (CheckpointBodies.FileDigest f : files) {
                if (d.equals(f.sha256()) && size[0] == f.size()) {
                    matched = f;
                    break;
                }
            }
            if (matched == null) {
                throw TrainproofException.integrity(artifact, "SHA-256 " + d + " is not any file digest in entry " + entry.seq());
            }
        }
        return new Verified(entry, cp, matched);
    }
}
