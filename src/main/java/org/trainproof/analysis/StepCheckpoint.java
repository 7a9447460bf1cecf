package org.trainproof.analysis;

import java.util.Objects;
import org.trainproof.checkpoint.CheckpointManifest;

/** A checkpoint manifest and the training step it was saved at (weights after {@code step} updates). */
public record StepCheckpoint(long step, CheckpointManifest manifest) {
    public StepCheckpoint {
        Objects.requireNonNull(manifest, "manifest");
    }
}
