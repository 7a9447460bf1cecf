package org.trainproof.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.sqlite.TrustedTimeStore;
import org.trainproof.trusted.Timestamper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "timestamp", mixinStandardHelpOptions = true, subcommands = TimestampCommand.Export.class, description = {
    "Request RFC 3161 timestamp tokens for every signed checkpoint of LEDGER that has none (a TSA was down or",
    "no --tsa was given when it was recorded). A token fetched now shows only that the checkpoint existed now.",
    "Exit 0 when every checkpoint has a token, 3 when some are still missing (TSA unreachable), 2 usage."})
final class TimestampCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    // Not 'required' in picocli terms: that would also be demanded of 'timestamp export'.
    @Parameters(index = "0", paramLabel = "LEDGER", arity = "0..1")
    Path ledger;

    @Option(names = "--tsa", paramLabel = "URL", description = "The RFC 3161 time-stamp authority (required).")
    URI tsa;

    @Option(names = "--tsa-timeout", paramLabel = "SECONDS", description = "How long to wait for each answer (default 30).")
    double timeout = 30;

    @Override
    public Integer call() {
        if (ledger == null || tsa == null) throw TrainproofException.usage("timestamp needs LEDGER and --tsa URL (or: timestamp export)");
        Timestamper t = new Timestamper(TrustedTimeOptions.client(tsa, timeout));
        int n = t.fillMissing(ledger);
        var out = spec.commandLine().getOut();
        out.println("timestamp: " + n + " token(s) stored from " + tsa);
        for (String f : t.failures()) spec.commandLine().getErr().println("error: " + f);
        return t.failures().isEmpty() ? ExitCode.OK : ExitCode.BAD_INPUT;
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = {
        "Write the timestamp token of one signed checkpoint (DER TimeStampToken, PREFIX.tsr) and the exact note",
        "bytes it covers (PREFIX.note), so an independent tool checks it:",
        "openssl ts -verify -token_in -in PREFIX.tsr -data PREFIX.note -CAfile TSA-CA.pem. Read-only."})
    static final class Export implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "LEDGER")
        Path ledger;

        @Option(names = "--size", paramLabel = "N", description = "The checkpoint covering N entries (default: the latest with a token).")
        Long size;

        @Option(names = "--out", paramLabel = "PREFIX", required = true, description = "Writes PREFIX.tsr and PREFIX.note.")
        Path out;

        @Override
        public Integer call() throws IOException {
            try (Ledger l = Ledger.openReadOnly(ledger)) {
                TrustedTimeStore t = l.trustedTime();
                TrustedTimeStore.TokenRow pick = null;
                TrustedTimeStore.CheckpointRef pickCp = null;
                var cps = t.checkpoints();
                for (TrustedTimeStore.TokenRow r : t.tokens()) {
                    for (TrustedTimeStore.CheckpointRef c : cps) {
                        if (c.id() != r.checkpointId()) continue;
                        if (size != null ? c.size() == size : pickCp == null || c.size() >= pickCp.size()) {
                            pick = r;
                            pickCp = c;
                        }
                    }
                }
                if (pick == null) {
                    throw TrainproofException.badInput(ledger, size == null ? "no timestamp token stored"
                            : "no timestamp token for a checkpoint of size " + size);
                }
                Path tsr = out.resolveSibling(out.getFileName() + ".tsr");
                Path note = out.resolveSibling(out.getFileName() + ".note");
                Files.write(tsr, pick.token());
                Files.write(note, pickCp.note());
                spec.commandLine().getOut().println("wrote " + tsr + " (token from " + pick.tsa() + ") and " + note
                        + " (checkpoint of size " + pickCp.size() + ")");
            }
            return ExitCode.OK;
        }
    }
}
