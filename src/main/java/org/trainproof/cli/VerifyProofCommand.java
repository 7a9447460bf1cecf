package org.trainproof.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.ProofBundle;
import org.trainproof.note.TlogProof;
import org.trainproof.note.VerifierKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify-proof", mixinStandardHelpOptions = true, description = {
    "Check an offline proof without the ledger (exit 0 valid, 1 not).",
    "Checks the checkpoint signature, the inclusion proof, the entry, and with --artifact that the",
    "file on disk has a digest and size the entry states; with --tsa-cert / --witness-key the bundle's",
    "timestamp tokens and cosignatures over its checkpoint (existed by time T)."})
final class VerifyProofCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A proof bundle from 'prove' or a bare .tlog-proof file.")
    Path file;

    @Option(names = "--key", required = true, paramLabel = "PREFIX.pub", description = "The signer's public key file (C2SP verifier key).")
    Path pub;

    @Option(names = "--artifact", paramLabel = "PATH", description = "A checkpoint file to compare against the entry's digests.")
    Path artifact;

    @CommandLine.Mixin
    TrustedTimeVerifyOptions trusted = new TrustedTimeVerifyOptions();

    @Override
    public Integer call() {
        org.trainproof.Verification.TrustedTime tt = trusted.toRequest();
        VerifierKey key = CliKeys.readVerifierKey(pub);
        byte[] bytes;
        try {
            if (Files.size(file) > TlogProof.MAX_BYTES) throw TrainproofException.badInput(file, "larger than a proof can be");
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw TrainproofException.badInput(file, "no such file");
        } catch (IOException e) {
            throw TrainproofException.badInput(file, "cannot read: " + e.getMessage());
        }
        if (artifact != null && !Files.isRegularFile(artifact)) throw TrainproofException.badInput(artifact, "no such file");
        ProofBundle.Verified v = ProofBundle.verify(file.toString(), bytes, key, artifact);
        StringBuilder sb = new StringBuilder("OK: entry ").append(v.entry().seq()).append(" (").append(v.entry().kind());
        v.entry().step().ifPresent(s -> sb.append(", step ").append(s));
        sb.append(") is in ").append(v.checkpoint().origin()).append(" at size ").append(v.checkpoint().size())
                .append(", signed by ").append(key.label());
        if (v.artifact() != null) sb.append("; ").append(artifact).append(" matches ").append(v.artifact().name());
        org.trainproof.trusted.ProofTrustedTime.Result t = ProofTrustedTimeInput.check(file, bytes, v.checkpoint().size(), tt);
        if (!t.failures().isEmpty()) throw TrainproofException.integrity(file, String.join("; ", t.failures()));
        spec.commandLine().getOut().println(sb);
        for (String line : t.lines()) spec.commandLine().getOut().println(line);
        return ExitCode.OK;
    }
}
