package org.trainproof.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.ledger.Ledger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "init", mixinStandardHelpOptions = true, description = {
    "Create a ledger: the genesis 'run' entry (from --run-config) and the first signed checkpoint. Never overwrites."})
final class InitCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER", description = "The ledger file to create (e.g. ledger.db).")
    Path ledger;

    @Mixin
    KeyOptions key;

    @Option(names = "--origin", required = true, description = "The log's identity in checkpoints, e.g. example.com/runs/42.")
    String origin;

    @Option(names = "--run-config", paramLabel = "FILE", description = "The run's claims (JSON, schemas/run-config.schema.json).")
    Path runConfig;

    @Override
    public Integer call() {
        ObjectNode config = runConfig == null ? null : readRunConfig(runConfig);
        var k = key.load();
        try (Ledger l = Ledger.init(ledger, k, origin, config)) {
            spec.commandLine().getOut().print(l.latestCheckpointNote());
        }
        return ExitCode.OK;
    }

    ObjectNode readRunConfig(Path f) {
        return RunConfigFile.read(f, "init", spec.commandLine().getErr());
    }
}
