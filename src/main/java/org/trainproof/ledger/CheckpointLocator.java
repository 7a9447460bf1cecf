package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.trainproof.TrainproofException;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.Manifests;

/**
 * Resolves {@code LEDGER@step} to the checkpoint the ledger certifies at that step: the ledger must pass
 * its integrity audit (against its stored key), the step must have a checkpoint entry with a safetensors
 * manifest, and the file it names — resolved beside the ledger, as recorded relative to the directory
 * holding the checkpoint — must still have the recorded manifest root. Anything else is an error, so
 * a comparison never runs on weights other than the ones signed.
 */
public final class CheckpointLocator {
    private CheckpointLocator() {}

    /** Requires {@code db} to be a ledger; returns the verified checkpoint path. */
    public static Path locate(Path db, long step) {
        return locate(db, step, null);
    }

    /** As {@link #locate(Path, long)}, looking for the file in {@code artifacts} (null: beside the ledger). */
    public static Path locate(Path db, long step, Path artifacts) {
        Path dir = (artifacts != null ? artifacts : db).toAbsolutePath().normalize();
        if (artifacts == null) dir = dir.getParent();
        String where = artifacts == null ? "beside the ledger" : "in " + artifacts;
        try (Ledger l = Ledger.openReadOnly(db)) {
            AuditReport audit = l.audit(AuditRequest.selfCheck());
            if (!audit.clean()) {
                throw TrainproofException.integrity(db, "the ledger fails its integrity audit (" + audit.findings().get(0).code()
                        + "); run trainproof verify");
            }
            long seq = l.checkpointEntryForStep(step)
                    .orElseThrow(() -> TrainproofException.badInput(db, "no checkpoint entry for step " + step));
            JsonNode cp = l.readEntry(seq).body().get("checkpoint");
            List<CheckpointBodies.NamedManifest> ms = CheckpointBodies.manifests(cp instanceof ObjectNode o ? o : null);
            if (ms.isEmpty() || ms.get(0).manifest() == null) {
                throw TrainproofException.badInput(db, "entry " + seq + " (step " + step + ") records no checkpoint manifest");
            }
            CheckpointBodies.NamedManifest m = ms.get(0);
            Path p = dir.resolve(m.name()).normalize();
            if (!p.startsWith(dir)) throw TrainproofException.badInput(db, "entry " + seq + " names '" + m.name() + "' outside " + (artifacts == null ? "the ledger's directory" : artifacts));
            if (!Files.exists(p)) {
                throw TrainproofException.badInput(p, "the checkpoint of step " + step + " (entry " + seq + ") is not " + where);
            }
            CheckpointManifest now = Manifests.of(p);
            if (!now.root().equals(m.manifest().root())) {
                throw TrainproofException.integrity(p, "does not match the checkpoint recorded at step " + step + " (entry " + seq
                        + "): root " + now.root() + ", recorded " + m.manifest().root());
            }
            return p;
        }
    }
}
