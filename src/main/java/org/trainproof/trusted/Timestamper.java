package org.trainproof.trusted;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.trainproof.crypto.Rfc3161;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.sqlite.SqliteStore;
import org.trainproof.ledger.sqlite.TrustedTimeStore;

/**
 * Gets RFC 3161 tokens over signed checkpoint notes. As a {@link Ledger.CheckpointListener} it asks
 * the TSA inside the append's transaction, so a token is stored with its note; any failure (TSA
 * down, slow, refusing, answering garbage) is remembered and the append commits without a token.
 * {@link #fillMissing} later stamps every checkpoint that has none.
 */
public final class Timestamper implements Ledger.CheckpointListener {
    private final TsaClient tsa;
    private final List<String> failures = new ArrayList<>();
    private int stored;

    public Timestamper(TsaClient tsa) {
        this.tsa = tsa;
    }

    /** Failures so far, one line each (what failed and for which checkpoint). */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    public int stored() {
        return stored;
    }

    @Override
    public void written(TrustedTimeStore store, long checkpointId, byte[] note) {
        TsaClient.Stamp s = fetch(checkpointId, note);
        if (s != null) {
            store.insertToken(checkpointId, tsa.uri().toString(), s.nonce(), s.token().bytes());
            stored++;
        }
    }

    private TsaClient.Stamp fetch(long checkpointId, byte[] note) {
        try {
            return tsa.timestamp(note);
        } catch (IOException | Rfc3161.TimestampException e) {
            failures.add("checkpoint " + checkpointId + ": no timestamp from " + tsa.uri() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add("checkpoint " + checkpointId + ": interrupted while asking " + tsa.uri());
        }
        return null;
    }

    /**
     * Stamps every checkpoint of {@code ledger} that has no token yet: each network call outside any
     * transaction, each token stored in its own short write transaction. Returns how many were stored.
     */
    public int fillMissing(Path ledger) {
        try (SqliteStore store = SqliteStore.open(ledger, false)) {
            TrustedTimeStore.ensureSchema(store);
            TrustedTimeStore t = new TrustedTimeStore(store);
            Set<Long> have = new HashSet<>();
            for (TrustedTimeStore.TokenRow r : t.tokens()) have.add(r.checkpointId());
            int before = stored;
            for (TrustedTimeStore.CheckpointRef c : t.checkpoints()) {
                if (have.contains(c.id())) continue;
                TsaClient.Stamp s = fetch(c.id(), c.note());
                if (s == null) continue;
                t.beginWrite();
                boolean ok = false;
                try {
                    t.insertToken(c.id(), tsa.uri().toString(), s.nonce(), s.token().bytes());
                    t.commit();
                    ok = true;
                    stored++;
                } finally {
                    if (!ok) t.rollbackQuietly();
                }
            }
            return stored - before;
        }
    }
}
