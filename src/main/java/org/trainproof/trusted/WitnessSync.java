package org.trainproof.trusted;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.trainproof.bytes.Digest;
import org.trainproof.ledger.sqlite.TrustedTimeStore;
import org.trainproof.note.NoteException;
import org.trainproof.note.SignedNote;
import org.trainproof.note.VerifierKey;

/**
 * Sends the ledger's latest signed checkpoint to each witness (C2SP tlog-witness add-checkpoint)
 * with a consistency proof from the size the witness last cosigned (known from the stored
 * cosignatures, else learnt from a 409), and stores each verified cosignature. Every failure is
 * remembered, never thrown: a witness that is down delays nothing and is retried on the next
 * record or by {@code trainproof witness sync}.
 */
public final class WitnessSync {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_RESPONSE = 64 * 1024;

    /** A witness: its add-checkpoint submission prefix and its cosignature verifier key. */
    public record Witness(URI url, VerifierKey key) {}

    /** RFC 9162 consistency proofs of the ledger's own tree. */
    public interface ProofSource {
        List<Digest> consistency(long size1, long size2);
    }

    private final List<Witness> witnesses;
    private final HttpClient http;
    private final Duration timeout;
    private final List<String> failures = new ArrayList<>();
    private int stored;

    public WitnessSync(List<Witness> witnesses, Duration timeout) {
        this.witnesses = List.copyOf(witnesses);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    public int stored() {
        return stored;
    }

    /**
     * Brings every witness up to the latest checkpoint of {@code store}; returns cosignatures stored.
     * With {@code always}, witnesses that already cosigned it are asked again: a witness that has
     * since cosigned a larger size answers 409 with it, which shows this copy is an older one
     * (rollback) or a fork.
     */
    public int sync(TrustedTimeStore store, ProofSource proofs, boolean always) {
        List<TrustedTimeStore.CheckpointRef> cps = store.checkpoints();
        if (cps.isEmpty()) return 0;
        TrustedTimeStore.CheckpointRef latest = cps.get(cps.size() - 1);
        List<TrustedTimeStore.CosignatureRow> have = store.cosignatures();
        int before = stored;
        for (Witness w : witnesses) {
            String wk = w.key().toString();
            long known = 0;
            boolean done = false;
            for (TrustedTimeStore.CosignatureRow r : have) {
                if (!r.witness().equals(wk)) continue;
                for (TrustedTimeStore.CheckpointRef c : cps) {
                    if (c.id() != r.checkpointId()) continue;
                    if (c.id() == latest.id()) done = true;
                    known = Math.max(known, c.size());
                }
            }
            if (done && !always) continue;
            try {
                String line = submit(w, latest, known, proofs);
                if (line == null) continue;
                store.beginWrite();
                boolean ok = false;
                try {
                    store.insertCosignature(latest.id(), wk, line);
                    store.commit();
                    ok = true;
                    stored++;
                } finally {
                    if (!ok) store.rollbackQuietly();
                }
            } catch (IOException e) {
                failures.add("witness " + w.url() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add("witness " + w.url() + ": interrupted");
            }
        }
        return stored - before;
    }

    private String submit(Witness w, TrustedTimeStore.CheckpointRef cp, long old, ProofSource proofs) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (old > cp.size()) {
                failures.add("witness " + w.url() + " has cosigned size " + old + ", larger than this ledger's " + cp.size()
                        + ": this ledger is an older copy (rollback) or a fork of what the witness saw");
                return null;
            }
            StringBuilder b = new StringBuilder("old ").append(old).append('\n');
            if (old > 0 && old < cp.size()) {
                for (Digest d : proofs.consistency(old, cp.size())) b.append(Base64.getEncoder().encodeToString(d.toByteArray())).append('\n');
            }
            b.append('\n');
            byte[] head = b.toString().getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[head.length + cp.note().length];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(cp.note(), 0, body, head.length, cp.note().length);
            URI target = URI.create(w.url().toString().replaceAll("/+$", "") + "/add-checkpoint");
            HttpRequest req = HttpRequest.newBuilder(target).timeout(timeout).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            String text;
            try (InputStream in = resp.body()) {
                text = new String(in.readNBytes(MAX_RESPONSE), StandardCharsets.UTF_8);
            }
            if (resp.statusCode() == 409 && attempt == 0) {
                String s = text.strip();
                if (!s.matches("0|[1-9][0-9]{0,18}")) throw new IOException("409 without a size");
                old = Long.parseLong(s);
                continue;
            }
            if (resp.statusCode() != 200) {
                failures.add("witness " + w.url() + " refused the checkpoint of size " + cp.size() + ": HTTP " + resp.statusCode()
                        + " " + text.strip());
                return null;
            }
            for (String line : text.split("\n")) {
                if (line.isEmpty()) continue;
                String candidate = new String(cp.note(), StandardCharsets.UTF_8) + line + "\n";
                try {
                    SignedNote.open(candidate.getBytes(StandardCharsets.UTF_8), List.of(w.key()));
                    return line;
                } catch (NoteException e) {
                    // Not this witness's key (or invalid): keep looking; the spec says ignore unknown keys.
                }
            }
            failures.add("witness " + w.url() + " answered without a valid cosignature by " + w.key().label());
            return null;
        }
        failures.add("witness " + w.url() + " answered 409 twice");
        return null;
    }
}
