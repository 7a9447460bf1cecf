package org.trainproof;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.ledger.AuditReport;
import org.trainproof.verdict.Outcome;
import org.trainproof.verdict.Report;

/**
 * Issue 20 item 9: without {@code --key} the signatures are checked against the key stored in the
 * ledger, which whoever rewrote the ledger also chose. That shows self-consistency, not who signed, so
 * a clean keyless audit must not headline "VERIFIED" as if the signer were known. The exit status is
 * unchanged (0 for a self-consistent ledger); the headline and the not-checked list say what is missing.
 */
final class KeylessHeadline {
    private KeylessHeadline() {}

    static Report apply(Report r, AuditReport audit) {
        if (!audit.keyFromLedger() || r.outcome() == Outcome.INTEGRITY_FAILURE) return r;
        String prefix = "SELF-CONSISTENT, signer not authenticated (no --key: checked against the key stored in the ledger, "
                + audit.key() + ", which whoever wrote the ledger chose)";
        String statement = r.statement() == null ? prefix
                : r.statement().startsWith("VERIFIED: the ledger is intact")
                        ? prefix + r.statement().substring("VERIFIED: the ledger is intact".length())
                        : prefix + "; " + r.statement();
        List<String> notChecked = new ArrayList<>();
        notChecked.add("signer: no --key given, so who signed the ledger is not checked; pass the signer's PREFIX.pub with --key");
        notChecked.addAll(r.notChecked());
        return new Report(r.command(), r.subject(), r.outcome(), r.exitCode(), statement, r.checks(), notChecked,
                r.parameters(), r.integrity());
    }
}
