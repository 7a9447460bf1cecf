package org.trainproof.cli;

import java.util.concurrent.Callable;
import org.trainproof.TrainproofException;
import org.trainproof.ExitCode;
import picocli.CommandLine.Command;

/** Placeholder until the checkpoint-manifest issue lands. */
@Command(name = "bench", description = "Benchmark manifest throughput (not yet built).")
final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new TrainproofException(ExitCode.INTERNAL, "bench is not built yet");
    }
}
