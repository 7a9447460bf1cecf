package org.trainproof.cli;

import java.util.concurrent.Callable;
import org.trainproof.TrainproofException;
import org.trainproof.ExitCode;
import picocli.CommandLine.Command;

/** Placeholder until the checkpoint-manifest issue lands. */
@Command(name = "inspect", description = "Show the per-tensor manifest of a checkpoint (not yet built).")
final class InspectCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new TrainproofException(ExitCode.INTERNAL, "inspect is not built yet");
    }
}
