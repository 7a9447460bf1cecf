package org.trainproof.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.trainproof.TrainproofException;
import org.trainproof.Verification;
import org.trainproof.note.TlogProof;
import org.trainproof.note.VerifierKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true, description = {
    "Audit a ledger: integrity first (every entry, the chain, every stored node hash, every signed",
    "checkpoint; with --since, consistency with a checkpoint saved earlier; with --artifacts, re-read the",
    "files), then, if intact, whether the run is consistent with training from a random initialisation",
    "under the logged recipe (loss curve, log arithmetic, compute, weight trajectory).",
    "Exit 0 intact and consistent, 1 integrity failure, 5 inconclusive, 6 inconsistent. Exit 0 needs",
    "--artifacts DIR: without the checkpoint files the trajectory is checked from the ledger's samples",
    "only, W11 cannot run, and an intact, consistent-looking run is 5 (docs/checks.md, evidence rule)."})
final class VerifyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER")
    Path ledger;

    @Option(names = "--key", paramLabel = "PREFIX.pub", description = "The signer's public key. Without it, only self-consistency is shown.")
    Path pub;

    @Option(names = "--since", paramLabel = "SAVED_CHECKPOINT", description = "A checkpoint note saved earlier (trainproof head): detects rollback and forks.")
    Path since;

    @Option(names = "--artifacts", paramLabel = "DIR", description = {
        "Re-read the checkpoint and log files named in the ledger, found under DIR, and run the weight",
        "checks on exact values at positions drawn from a fresh random seed (printed)."})
    Path artifacts;

    @Option(names = "--seed", paramLabel = "S", description = "Auditor seed for --artifacts positions (reproduces an earlier run).")
    Long seed;

    @Option(names = "--integrity-only", description = "Only the integrity audit (exit 0 or 1); no consistency analysis.")
    boolean integrityOnly;

    @CommandLine.Mixin
    ReportFiles files = new ReportFiles();

    @CommandLine.Mixin
    TrustedTimeVerifyOptions trusted = new TrustedTimeVerifyOptions();

    @Option(names = "--quiet", description = "Print the verdict line only.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        files.check();
        VerifierKey key = pub == null ? null : CliKeys.readVerifierKey(pub);
        byte[] saved = null;
        if (since != null) {
            try {
                if (Files.size(since) > TlogProof.MAX_BYTES) throw TrainproofException.badInput(since, "too large for a checkpoint");
                saved = Files.readAllBytes(since);
            } catch (java.nio.file.NoSuchFileException e) {
                throw TrainproofException.badInput(since, "no such file");
            }
        }
        if (artifacts != null && !Files.isDirectory(artifacts)) throw TrainproofException.badInput(artifacts, "not a directory");
        Progress.Bytes bytes = artifacts == null ? null
                : Progress.forBytes("verify --artifacts", Progress.sizeOf(artifacts), spec.commandLine().getErr());
        Verification.Result result = Verification.run(new Verification.Request(ledger, key, saved, artifacts, seed, integrityOnly,
                files.wantsHtml(), Progress.forAudit(spec.commandLine().getErr()), bytes, trusted.toRequest()));
        if (bytes != null) bytes.finish();
        return ReportOutput.emit(result.report(), files, result::charts, quiet, spec.commandLine().getOut());
    }
}
