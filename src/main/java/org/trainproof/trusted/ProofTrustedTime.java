package org.trainproof.trusted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.trainproof.crypto.Rfc3161;
import org.trainproof.ledger.sqlite.TrustedTimeStore;
import org.trainproof.note.Cosignature;
import org.trainproof.note.NoteException;
import org.trainproof.note.SignedNote;
import org.trainproof.note.VerifierKey;

/**
 * The trusted-time evidence an offline proof bundle carries for its checkpoint: the RFC 3161 tokens
 * ({@code timestamps}: TSA URL, request nonce, base64 DER token) and the witness cosignature lines
 * ({@code cosignatures}) stored in the ledger for exactly the checkpoint note the proof is against.
 * {@link #verify} checks them against that note with the same code {@code verify} uses
 * ({@link Rfc3161#verify}, {@link SignedNote#open}); none of it is trusted before that.
 */
public final class ProofTrustedTime {
    private ProofTrustedTime() {}

    /** Adds {@code timestamps} / {@code cosignatures} to {@code bundle} for the checkpoint whose note is {@code note}; adds nothing when there are none. */
    public static void attach(ObjectNode bundle, TrustedTimeStore store, String note) {
        if (!store.tablesExist()) return;
        byte[] noteBytes = note.getBytes(StandardCharsets.UTF_8);
        Set<Long> ids = new LinkedHashSet<>();
        for (TrustedTimeStore.CheckpointRef c : store.checkpoints()) if (Arrays.equals(c.note(), noteBytes)) ids.add(c.id());
        if (ids.isEmpty()) return;
        ArrayNode ts = bundle.arrayNode();
        for (TrustedTimeStore.TokenRow t : store.tokens()) {
            if (!ids.contains(t.checkpointId())) continue;
            ObjectNode o = ts.addObject();
            o.put("tsa", t.tsa());
            o.put("nonce", new BigInteger(t.nonce()).toString());
            o.put("token", Base64.getEncoder().encodeToString(t.token()));
        }
        ArrayNode cs = bundle.arrayNode();
        for (TrustedTimeStore.CosignatureRow r : store.cosignatures()) if (ids.contains(r.checkpointId())) cs.add(r.signature());
        if (!ts.isEmpty()) bundle.set("timestamps", ts);
        if (!cs.isEmpty()) bundle.set("cosignatures", cs);
    }

    /**
     * What the check found: {@code lines} to print ("existed by" per verified token or cosignature, and what
     * was not verified), {@code failures} (a token or cosignature that does not verify, a quorum not met).
     */
    public record Result(List<String> lines, List<String> failures, Instant earliest) {}

    /**
     * Verifies the bundle's tokens against {@code anchors} and its cosignatures by {@code witnesses} over the
     * checkpoint note bytes {@code note} (already verified as the log's); {@code quorum} distinct witnesses
     * with a valid cosignature are required (0: none).
     */
    public static Result verify(JsonNode bundle, String note, long size, List<X509Certificate> anchors, List<VerifierKey> witnesses, int quorum) {
        byte[] noteBytes = note.getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Instant earliest = null;
        JsonNode ts = bundle == null ? null : bundle.get("timestamps");
        int nTokens = ts == null ? 0 : ts.size();
        if (nTokens > 0 && anchors.isEmpty()) {
            lines.add(nTokens + " timestamp token(s) in the bundle, not verified: give --tsa-cert CERT.pem to check them");
        } else if (nTokens > 0) {
            int i = 0;
            for (JsonNode t : ts) {
                i++;
                String tsa = t.get("tsa").asText();
                try {
                    byte[] der = Base64.getDecoder().decode(t.get("token").asText());
                    Rfc3161.TokenInfo info = Rfc3161.verify(new Rfc3161.Der(der), noteBytes, new BigInteger(t.get("nonce").asText()), anchors);
                    lines.add("the checkpoint (size " + size + ") existed by " + info.genTime() + " (TSA " + info.tsa() + ", from " + tsa + ")");
                    if (earliest == null || info.genTime().isBefore(earliest)) earliest = info.genTime();
                } catch (Rfc3161.TimestampException | IllegalArgumentException e) {
                    failures.add("timestamp token " + i + " (from " + tsa + ") does not verify: " + e.getMessage());
                }
            }
        }
        JsonNode cs = bundle == null ? null : bundle.get("cosignatures");
        int nCosigs = cs == null ? 0 : cs.size();
        Set<VerifierKey> cosigned = new LinkedHashSet<>();
        int unknown = 0;
        if (nCosigs > 0) {
            int i = 0;
            for (JsonNode c : cs) {
                i++;
                String line = c.asText();
                String[] parts = line.split(" ", -1);
                String name = parts.length == 3 ? parts[1] : null;
                Map.Entry<String, Cosignature> parsed;
                try {
                    parsed = Cosignature.parseLine(line);
                } catch (IllegalArgumentException e) {
                    // Not a cosignature/v1 line: a failure when it names a witness the auditor gave, else not ours to judge.
                    if (name != null && witnesses.stream().anyMatch(w -> w.name().equals(name))) {
                        failures.add("cosignature " + i + " names witness " + name + " but is not a cosignature/v1 line: " + e.getMessage());
                    } else {
                        unknown++;
                    }
                    continue;
                }
                VerifierKey k = witnesses.stream()
                        .filter(w -> w.name().equals(parsed.getKey()) && w.keyId() == parsed.getValue().keyId()).findFirst().orElse(null);
                if (k == null) {
                    unknown++;
                    continue;
                }
                try {
                    String cosignedNote = note + line + "\n";
                    SignedNote.open(cosignedNote.getBytes(StandardCharsets.UTF_8), List.of(k));
                    Instant t = Instant.ofEpochSecond(parsed.getValue().timestamp());
                    lines.add("the checkpoint (size " + size + ") existed by " + t + " (witness " + k.label() + ")");
                    if (earliest == null || t.isBefore(earliest)) earliest = t;
                    cosigned.add(k);
                } catch (NoteException | IllegalArgumentException e) {
                    failures.add("cosignature " + i + " by " + k.label() + " does not verify: " + e.getMessage());
                }
            }
            if (unknown > 0) {
                lines.add(unknown + " cosignature(s) in the bundle by witnesses not given with --witness-key, not verified");
            }
        }
        if (quorum > 0 && cosigned.size() < quorum) {
            failures.add("the checkpoint (size " + size + ") has " + cosigned.size() + " valid cosignatures from the given witnesses; "
                    + quorum + " required");
        }
        if (nTokens == 0 && nCosigs == 0) {
            lines.add("no timestamp tokens or cosignatures in the bundle: nothing shows when the checkpoint existed");
        } else if (earliest == null && failures.isEmpty()) {
            lines.add("no trusted time verified: nothing shows when the checkpoint existed");
        }
        return new Result(lines, failures, earliest);
    }
}
