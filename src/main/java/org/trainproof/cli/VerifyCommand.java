package org.trainproof.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.AuditReport;
import org.trainproof.ledger.AuditRequest;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.sqlite.LedgerCorruptException;
import org.trainproof.note.TlogProof;
import org.trainproof.note.VerifierKey;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Severity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = {
    "Audit a ledger's integrity (exit 0 when nothing fails, 1 on any integrity failure).",
    "Re-derives every entry, the chain, every stored node hash and the root at every signed checkpoint;",
    "with --since, checks consistency with a checkpoint saved earlier; with --artifacts, re-hashes the files."})
final class VerifyCommand implements Callable<Integer> {
    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER")
    Path ledger;

    @Option(names = "--key", paramLabel = "PREFIX.pub", description = "The signer's public key. Without it, only self-consistency is shown.")
    Path pub;

    @Option(names = "--since", paramLabel = "SAVED_CHECKPOINT", description = "A checkpoint note saved earlier (trainproof head): detects rollback and forks.")
    Path since;

    @Option(names = "--artifacts", paramLabel = "DIR", description = "Re-hash the checkpoint files named in the ledger, found under DIR.")
    Path artifacts;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
    Path json;

    @Override
    public Integer call() throws IOException {
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
        AuditReport report;
        try (Ledger l = Ledger.openReadOnly(ledger)) {
            PrintWriter err = spec.commandLine().getErr();
            report = l.audit(new AuditRequest(key, saved, artifacts, n -> {
                err.println("verify: " + n + " entries checked");
                err.flush();
            }));
        } catch (LedgerCorruptException e) {
            report = AuditReport.unreadable(ledger.toString(), e.getMessage());
        }
        render(report, spec.commandLine().getOut());
        if (json != null) {
            JSON.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
        }
        return report.clean() ? ExitCode.OK : ExitCode.INTEGRITY;
    }

    static void render(AuditReport r, PrintWriter out) {
        out.println((r.clean() ? "INTEGRITY OK: " : "INTEGRITY FAILED: ") + r.ledger());
        out.println("  " + r.toCheckResult().detail());
        if (r.root() != null) out.println("  origin " + r.origin() + ", " + r.entries() + " entries, root " + r.root());
        for (Severity s : new Severity[] {Severity.FAIL, Severity.WARNING, Severity.INFO}) {
            for (Finding f : r.findings()) {
                if (f.severity() != s) continue;
                out.println("  " + f.severity() + " " + f.code() + " [" + f.location() + "] " + f.message()
                        + (f.expected() != null || f.actual() != null ? " (expected " + f.expected() + ", actual " + f.actual() + ")" : ""));
            }
        }
        if (!r.sinceChecked()) {
            out.println("  note: without --since SAVED_CHECKPOINT a rollback to an earlier consistent state cannot be detected");
        }
    }
}
