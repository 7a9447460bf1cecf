package org.trainproof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.ProofBundle;
import org.trainproof.note.TlogProof;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "prove", mixinStandardHelpOptions = true, description = {
    "Write an offline proof that one entry is under the latest signed checkpoint.",
    "The file is a JSON bundle (schemas/proof-bundle.schema.json) holding a C2SP tlog-proof and the entry,",
    "and the RFC 3161 tokens and witness cosignatures stored for that checkpoint, if any."})
final class ProveCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER")
    Path ledger;

    static final class Which {
        @Option(names = "--index", description = "Entry index (seq).")
        Long index;

        @Option(names = "--step", description = "The checkpoint entry recorded for this training step (the last one if several).")
        Long step;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the proof to FILE; - (the default) for standard output.")
    String output = Output.STDOUT;

    @Option(names = "--force", description = "Overwrite the --out file if it exists (refused otherwise).")
    boolean force;

    @Option(names = {"-o", "--output"}, hidden = true, paramLabel = "FILE", description = "Deprecated spelling of --out.")
    void oldOutput(String f) {
        Output.deprecated(spec.commandLine().getErr(), "-o/--output", "--out");
        output = f;
    }

    @Override
    public Integer call() throws IOException {
        Output o = new Output("--out", output);
        o.check(force);
        String json;
        try (Ledger l = Ledger.openReadOnly(ledger)) {
            long index;
            if (which.index != null) {
                index = which.index;
            } else {
                index = l.checkpointEntryForStep(which.step).orElseThrow(
                        () -> TrainproofException.badInput(ledger, "no checkpoint entry for step " + which.step));
            }
            TlogProof p = l.prove(index);
            com.fasterxml.jackson.databind.node.ObjectNode bundle = ProofBundle.toJson(p, l.origin());
            org.trainproof.trusted.ProofTrustedTime.attach(bundle, l.trustedTime(), p.checkpointNote());
            json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(bundle) + "\n";
        }
        o.write(force, spec.commandLine().getOut(), json);
        return ExitCode.OK;
    }
}
