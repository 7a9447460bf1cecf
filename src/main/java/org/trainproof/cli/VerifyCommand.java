package org.trainproof.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.trainproof.TrainproofException;
import org.trainproof.analysis.AnalysisConfig;
import org.trainproof.analysis.AnalysisInput;
import org.trainproof.analysis.ConsistencyAnalysis;
import org.trainproof.analysis.ConsistencyVerdict;
import org.trainproof.analysis.RunCharts;
import org.trainproof.analysis.RunInputs;
import org.trainproof.ledger.AuditReport;
import org.trainproof.ledger.AuditRequest;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.sqlite.LedgerCorruptException;
import org.trainproof.note.TlogProof;
import org.trainproof.note.VerifierKey;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.Report;
import org.trainproof.verdict.ReportCharts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true, description = {
    "Audit a ledger: integrity first (every entry, the chain, every stored node hash, every signed",
    "checkpoint; with --since, consistency with a checkpoint saved earlier; with --artifacts, re-read the",
    "files), then, if intact, whether the run is consistent with training from a random initialisation",
    "under the logged recipe (loss curve, log arithmetic, compute, weight trajectory).",
    "Exit 0 intact and consistent, 1 integrity failure, 5 inconclusive, 6 inconsistent."})
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
        long auditorSeed = seed != null ? seed : new SecureRandom().nextLong();
        AuditReport audit;
        ConsistencyVerdict consistency = null;
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "verify-analysis-read");
            t.setDaemon(true);
            return t;
        });
        ReportCharts charts = ReportCharts.NONE;
        try (Ledger l = Ledger.openReadOnly(ledger)) {
            // The analysis input is read on a second read-only connection while the audit runs; it is
            // used only if the audit is clean and covered exactly the entries it read (else re-read).
            long size = l.size();
            Future<AnalysisInput> pending = integrityOnly ? null : pool.submit(() -> {
                try (Ledger l2 = Ledger.openReadOnly(ledger)) {
                    return RunInputs.fromLedger(l2, size, artifacts, auditorSeed, AnalysisConfig.DEFAULT, files.wantsHtml());
                }
            });
            Progress.Bytes bytes = artifacts == null ? null
                    : Progress.forBytes("verify --artifacts", Progress.sizeOf(artifacts), spec.commandLine().getErr());
            audit = l.audit(new AuditRequest(key, saved, artifacts, Progress.forAudit(spec.commandLine().getErr()), bytes));
            if (bytes != null) bytes.finish();
            if (audit.clean() && pending != null) {
                AnalysisInput in = audit.entries() == size ? join(pending)
                        : RunInputs.fromLedger(l, audit.entries(), artifacts, auditorSeed, AnalysisConfig.DEFAULT, files.wantsHtml());
                consistency = ConsistencyAnalysis.standard().run(in);
                if (files.wantsHtml()) charts = RunCharts.of(in);
            } else if (pending != null) {
                pending.cancel(true);
            }
        } catch (LedgerCorruptException e) {
            audit = AuditReport.unreadable(ledger.toString(), e.getMessage());
        } finally {
            pool.shutdownNow();
        }
        Report report = report(audit, consistency, artifacts != null && consistency != null ? auditorSeed : null);
        ReportCharts drawn = charts;
        return ReportOutput.emit(report, files, () -> drawn, quiet, spec.commandLine().getOut());
    }

    private static AnalysisInput join(Future<AnalysisInput> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainproofException(org.trainproof.ExitCode.INTERNAL, "interrupted while reading the ledger for analysis");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new TrainproofException(org.trainproof.ExitCode.INTERNAL, "reading the ledger for analysis failed: " + e.getCause(), e.getCause());
        }
    }

    static Report report(AuditReport audit, ConsistencyVerdict consistency, Long auditorSeed) {
        List<CheckResult> checks = new ArrayList<>();
        checks.add(audit.toCheckResult());
        List<String> notChecked = new ArrayList<>();
        if (!audit.sinceChecked()) {
            notChecked.add("rollback and forks: no saved checkpoint given (--since); a ledger replaced by an older copy of itself is not detectable without one");
        }
        if (!audit.artifactsChecked()) {
            notChecked.add("files: checkpoint and log files not re-read (--artifacts); weight checks use the coordinate samples and sketches the signer recorded");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (auditorSeed != null) params.put("auditor seed", auditorSeed + " (reproduce with --seed " + auditorSeed + ")");
        params.put("evidence level", consistency == null ? "integrity only — training consistency not analysed" : consistency.evidence().describe());
        Report r;
        if (consistency == null) {
            if (audit.clean()) notChecked.add("training consistency: not analysed (--integrity-only)");
            else notChecked.add("training consistency: not analysed, because integrity failed");
            r = Report.of("verify", audit.ledger(), checks, null, null, notChecked, params);
        } else {
            checks.addAll(consistency.checks());
            notChecked.addAll(consistency.notPerformed());
            r = Report.of("verify", audit.ledger(), checks, consistency.outcome(), consistency.statement(), notChecked, params);
        }
        Map<String, Object> integrity = new LinkedHashMap<>();
        integrity.put("ledger", audit.ledger());
        integrity.put("origin", audit.origin());
        integrity.put("key", audit.key());
        integrity.put("key_from_ledger", audit.keyFromLedger());
        integrity.put("entries", audit.entries());
        integrity.put("checkpoints", audit.checkpoints());
        integrity.put("root", audit.root());
        integrity.put("since_checked", audit.sinceChecked());
        integrity.put("artifacts_checked", audit.artifactsChecked());
        integrity.put("artifacts_hashed", audit.artifactsHashed());
        return r.withIntegrity(integrity);
    }
}
