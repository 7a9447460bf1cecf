package org.trainproof;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
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
import org.trainproof.note.VerifierKey;
import org.trainproof.trusted.TrustedTimeAudit;
import org.trainproof.trusted.TrustedTimeReport;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.Report;
import org.trainproof.verdict.ReportCharts;

/**
 * The library entry point of {@code trainproof verify}: audit a ledger's integrity, then, if it is
 * intact, analyse whether the run is consistent with training from scratch. The CLI is a thin shell
 * over {@link #run(Request)}; Java callers (and later trusted-time and distributed verification) use
 * it directly. Reading the ledger never writes beside it. A verification outcome is data: integrity
 * failures, inconsistency and inconclusive results are in the returned {@link Report}; only bad input
 * (unreadable ledger, bad key) throws {@link TrainproofException}. Documented in docs/library.md.
 */
public final class Verification {
    private Verification() {}

    /**
     * What to verify. {@code ledger} is required; every other field may be null. {@code key}: the
     * signer's key the auditor trusts (null: the key stored in the ledger, self-consistency only).
     * {@code savedCheckpoint}: a checkpoint note saved earlier with {@code head} (null: rollback is not
     * detectable). {@code artifacts}: the folder holding the recorded files, re-read when given.
     * {@code seed}: the auditor seed for sampled positions (null: a fresh random one, reported).
     */
    public record Request(Path ledger, VerifierKey key, byte[] savedCheckpoint, Path artifacts, Long seed,
            boolean integrityOnly, boolean charts, LongConsumer auditProgress, LongConsumer artifactBytes, TrustedTime trustedTime) {
        public Request(Path ledger, VerifierKey key, byte[] savedCheckpoint, Path artifacts, Long seed,
                boolean integrityOnly, boolean charts, LongConsumer auditProgress, LongConsumer artifactBytes) {
            this(ledger, key, savedCheckpoint, artifacts, seed, integrityOnly, charts, auditProgress, artifactBytes, null);
        }

        public Request {
            Objects.requireNonNull(ledger, "ledger");
            savedCheckpoint = savedCheckpoint == null ? null : savedCheckpoint.clone();
        }

        /** Verify {@code ledger} against the key stored in it, without files: the smallest request. */
        public static Request of(Path ledger) {
            return new Request(ledger, null, null, null, null, false, false, null, null);
        }

        public Request withKey(VerifierKey k) {
            return new Request(ledger, k, savedCheckpoint, artifacts, seed, integrityOnly, charts, auditProgress, artifactBytes, trustedTime);
        }

        public Request withArtifacts(Path dir) {
            return new Request(ledger, key, savedCheckpoint, dir, seed, integrityOnly, charts, auditProgress, artifactBytes, trustedTime);
        }

        public Request withSeed(long s) {
            return new Request(ledger, key, savedCheckpoint, artifacts, s, integrityOnly, charts, auditProgress, artifactBytes, trustedTime);
        }

        public Request withSince(byte[] savedNote) {
            return new Request(ledger, key, savedNote, artifacts, seed, integrityOnly, charts, auditProgress, artifactBytes, trustedTime);
        }

        public Request integrityOnly(boolean only) {
            return new Request(ledger, key, savedCheckpoint, artifacts, seed, only, charts, auditProgress, artifactBytes, trustedTime);
        }

        /** Verify stored RFC 3161 tokens against these anchors and cosignatures against these witness keys (docs/trusted-time.md). */
        public Request withTrustedTime(TrustedTime t) {
            return new Request(ledger, key, savedCheckpoint, artifacts, seed, integrityOnly, charts, auditProgress, artifactBytes, t);
        }

        @Override
        public byte[] savedCheckpoint() {
            return savedCheckpoint == null ? null : savedCheckpoint.clone();
        }
    }

    /**
     * Trusted-time evidence to check: TSA trust anchors (roots or intermediates), witness cosignature
     * keys, and how many of those witnesses must have cosigned the latest checkpoint. Without it, stored
     * tokens and cosignatures are still listed, but reported as not verified.
     */
    public record TrustedTime(List<java.security.cert.X509Certificate> anchors, List<VerifierKey> witnesses, int quorum) {
        public TrustedTime {
            anchors = List.copyOf(anchors);
            witnesses = List.copyOf(witnesses);
            if (quorum < 0 || quorum > witnesses.size()) throw new IllegalArgumentException("quorum must be between 0 and the number of witness keys");
        }

        public static final TrustedTime NONE = new TrustedTime(List.of(), List.of(), 0);
    }

    /** The report (its {@code exitCode()} is the CLI's), the charts for an HTML report (NONE unless asked), and the raw audit. */
    public record Result(Report report, ReportCharts charts, AuditReport audit) {
        public int exitCode() {
            return report.exitCode();
        }
    }

    /** Runs the audit and, when the ledger is intact and not {@code integrityOnly}, the consistency analysis. */
    public static Result run(Request req) {
        Path artifacts = req.artifacts();
        if (artifacts != null && !Files.isDirectory(artifacts)) throw TrainproofException.badInput(artifacts, "not a directory");
        long auditorSeed = req.seed() != null ? req.seed() : new java.security.SecureRandom().nextLong();
        AuditReport audit;
        ConsistencyVerdict consistency = null;
        ReportCharts charts = ReportCharts.NONE;
        TrustedTimeAudit.Result time = null;
        com.fasterxml.jackson.databind.JsonNode claims = null;
        try (Ledger l = Ledger.openReadOnly(req.ledger())) {
            // The analysis input is built from the entries the audit decodes, in the same pass (nothing is
            // read or parsed twice); it is used only if the audit is clean.
            claims = org.trainproof.ledger.LedgerClaims.of(l);
            RunInputs.LedgerCollector collector = req.integrityOnly() ? null
                    : new RunInputs.LedgerCollector(req.ledger(), Long.MAX_VALUE, artifacts, auditorSeed, AnalysisConfig.DEFAULT, req.charts());
            audit = l.audit(new AuditRequest(req.key(), req.savedCheckpoint(), artifacts, req.auditProgress(), req.artifactBytes(),
                    collector));
            if (audit.clean()) time = trustedTime(l, req.trustedTime() == null ? TrustedTime.NONE : req.trustedTime());
            if (audit.clean() && collector != null) {
                AnalysisInput in = collector.finish();
                consistency = ConsistencyAnalysis.standard().run(TrustedTimeReport.withTrustedTime(in, time));
                if (req.charts()) charts = RunCharts.of(in);
            }
        } catch (LedgerCorruptException e) {
            audit = AuditReport.unreadable(req.ledger().toString(), e.getMessage());
        }
        Report report = report(audit, consistency, artifacts != null && consistency != null ? auditorSeed : null);
        if (audit.clean()) report = TrustedTimeReport.apply(report, time);
        report = report.withProvenance(org.trainproof.verdict.Provenance.now(List.of()).withClaims(claims,
                audit.clean() ? "the ledger's genesis run entry (signed; the audit found it intact)"
                        : "the ledger's genesis run entry (the audit failed: not authenticated)"));
        return new Result(report, TrustedTimeReport.charts(charts, time), audit);
    }

    /** The trusted-time audit; null when the ledger holds no tokens or cosignatures and no anchors or keys were given. */
    private static TrustedTimeAudit.Result trustedTime(Ledger l, TrustedTime t) {
        TrustedTimeAudit.Result r = TrustedTimeAudit.run(l.trustedTime(), t.anchors(), t.witnesses(), t.quorum());
        boolean nothing = t.anchors().isEmpty() && t.witnesses().isEmpty() && r.summary().get("tokens_stored").equals(0)
                && r.summary().get("cosignatures_stored").equals(0);
        return nothing ? null : r;
    }

    /** Assembles the report from the audit and the analysis (null when not analysed). */
    public static Report report(AuditReport audit, ConsistencyVerdict consistency, Long auditorSeed) {
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
        else params.put("auditor seed", "none used: " + (consistency == null ? "training consistency not analysed"
                : "no files re-read (--artifacts), so nothing was sampled; weight checks use the signer's recorded samples"));
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
        r = KeylessHeadline.apply(r, audit);
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
        if (!audit.shards().isEmpty()) integrity.put("shards", org.trainproof.ledger.ShardReport.of(audit.shards()));
        return r.withIntegrity(integrity);
    }
}
