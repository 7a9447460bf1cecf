package org.trainproof.ledger;

import java.util.List;
import org.trainproof.verdict.CheckResult;
import org.trainproof.verdict.CheckStatus;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Severity;

/**
 * The integrity audit's result: findings (stable codes), and what was checked. {@link #clean()}
 * is true when no finding has severity FAIL.
 */
public record AuditReport(
        String ledger,
        String origin,
        String key,
        boolean keyFromLedger,
        long entries,
        long checkpoints,
        String root,
        boolean sinceChecked,
        boolean artifactsChecked,
        long artifactsHashed,
        List<Finding> findings,
        List<ShardArtifacts.ShardCheck> shards) {

    public AuditReport {
        findings = List.copyOf(findings);
        shards = shards == null ? List.of() : List.copyOf(shards);
    }

    public AuditReport(String ledger, String origin, String key, boolean keyFromLedger, long entries, long checkpoints, String root,
            boolean sinceChecked, boolean artifactsChecked, long artifactsHashed, List<Finding> findings) {
        this(ledger, origin, key, keyFromLedger, entries, checkpoints, root, sinceChecked, artifactsChecked, artifactsHashed, findings, null);
    }

    /** The report for a ledger file SQLite cannot read (truncated, overwritten): one DATABASE_CORRUPT finding. */
    public static AuditReport unreadable(String ledger, String message) {
        return new AuditReport(ledger, null, null, false, 0, 0, null, false, false, 0,
                List.of(Finding.of(LedgerFindings.DATABASE_CORRUPT, Severity.FAIL, message)
                        .at(org.trainproof.verdict.Location.file(ledger))));
    }

    public boolean clean() {
        return findings.stream().noneMatch(f -> f.severity() == Severity.FAIL);
    }

    /** The audit as one check result ({@code INTEGRITY}) for a combined verdict. */
    public CheckResult toCheckResult() {
        String detail = entries + " entries, " + checkpoints + " signed checkpoints checked against "
                + (keyFromLedger ? "the key stored in the ledger" : "key " + key)
                + (sinceChecked ? "; consistent with the saved checkpoint" : "; no saved checkpoint (rollback not checked)")
                + (artifactsChecked ? "; " + artifactsHashed + " files re-hashed" : "; files not re-hashed");
        return new CheckResult("INTEGRITY", "ledger integrity", clean() ? CheckStatus.PASS : CheckStatus.FAIL,
                null, null, entries, null, null, detail, findings);
    }
}
