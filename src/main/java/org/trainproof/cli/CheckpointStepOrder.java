package org.trainproof.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.CheckpointLineage;
import org.trainproof.ledger.Ledger;

/**
 * {@code record --checkpoint} refuses a step that is not after the ledger's last checkpoint step: two
 * checkpoints at one step, or a step going back, leave a trajectory no analysis can order (verify
 * used to stop with an internal error on "two checkpoints at step N"). Nothing is appended.
 *
 * <p>The exception is an explicit resume claim ({@code --resume R}): training was restarted from the
 * recorded checkpoint at step R, so the new checkpoint's step only has to be after R, and R must be a
 * checkpoint of the run's current lineage ({@link CheckpointLineage}); the checkpoints after R recorded
 * before the claim are then the abandoned attempt's.
 */
final class CheckpointStepOrder {
    private CheckpointStepOrder() {}

    static void requireAfterLast(Path ledger, Optional<Long> last, long step) {
        if (last.isPresent() && step <= last.get()) {
            throw TrainproofException.badInput(ledger, "--step " + step + " is not after the ledger's last checkpoint (step "
                    + last.get() + "); checkpoint steps must increase. A run restarted from an earlier recorded checkpoint "
                    + "says so with --resume STEP (the step of the checkpoint it resumed from)");
        }
    }

    /** Checks the order of a checkpoint at {@code step}, with the claimed resume step {@code resume} (null: none). */
    static void require(Path ledgerPath, Ledger l, long step, Long resume) {
        if (resume == null) {
            requireAfterLast(ledgerPath, l.lastCheckpointStep(), step);
            return;
        }
        if (step <= resume) {
            throw TrainproofException.badInput(ledgerPath, "--step " + step + " is not after the resumed checkpoint's step " + resume
                    + " (--resume)");
        }
        CheckpointLineage lineage = CheckpointLineage.of(l, Long.MAX_VALUE);
        if (!lineage.hasStep(resume)) {
            throw TrainproofException.badInput(ledgerPath, "--resume " + resume + ": the ledger has no checkpoint at step " + resume
                    + " on the run's current trajectory (its checkpoints: steps " + lineage.kept().stream().map(p -> p.step()).toList()
                    + "); --resume names the recorded checkpoint training restarted from");
        }
    }
}
