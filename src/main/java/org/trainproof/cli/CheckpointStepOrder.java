package org.trainproof.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.trainproof.TrainproofException;

/**
 * {@code record --checkpoint} refuses a step that is not after the ledger's last checkpoint step: two
 * checkpoints at one step, or a step going back, leave a trajectory no analysis can order (verify
 * used to stop with an internal error on "two checkpoints at step N"). Nothing is appended.
 */
final class CheckpointStepOrder {
    private CheckpointStepOrder() {}

    static void requireAfterLast(Path ledger, Optional<Long> last, long step) {
        if (last.isPresent() && step <= last.get()) {
            throw TrainproofException.badInput(ledger, "--step " + step + " is not after the ledger's last checkpoint (step "
                    + last.get() + "); checkpoint steps must increase (a restart from an earlier checkpoint is recorded with "
                    + "--event, and its new checkpoints need larger steps)");
        }
    }
}
