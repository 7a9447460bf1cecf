package org.trainproof.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.ledger.Ledger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "head", mixinStandardHelpOptions = true, description = "Print the latest signed checkpoint note, byte-exact (save it to audit later with verify --since).")
final class HeadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER")
    Path ledger;

    @Override
    public Integer call() {
        try (Ledger l = Ledger.openReadOnly(ledger)) {
            spec.commandLine().getOut().print(l.latestCheckpointNote());
        }
        return ExitCode.OK;
    }
}
