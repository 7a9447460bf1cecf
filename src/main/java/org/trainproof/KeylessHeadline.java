package org.trainproof;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.ledger.AuditReport;
import org.trainproof.verdict.Outcome;
import org.trainproof.verdict.Report;

/**
 * Issue 20 item 9: without {@code --key} the signatures are checked against the key stored in the
 * ledger, which whoever rewrote the ledger also chose. That shows self-consistency, not who signed, so
 * a clean keyless audit must neither headline "VERIFIED" nor exit 0 as if the signer were known. It is
 * inconclusive (exit 5): "SELF-CONSISTENT, signer not authenticated". An integrity failure (1) and an
 * inconsistent run (6) keep their exit (they do not depend on who signed); an inconclusive run stays 5.
 * The statement and the not-checked list say what is missing.
 */
final class KeylessHeadline {
    private KeylessHeadline() {}

    /** What a keyless statement says about the signer (the terminal headline looks for it: verdict.Headline). */
    static String note(AuditReport audit) {
        return "signer not authenticated (no --key: checked against the key stored in the ledger, " + audit.key()
                + ", which whoever wrote the ledger chose)";
    }

    static Report apply(Report r, AuditReport audit) {
        if (!audit.keyFromLedger() || r.outcome() == Outcome.INTEGRITY_FAILURE) return r;
        Outcome outcome = r.outcome();
        String statement;
        if (outcome == Outcome.CONSISTENT) {
            // would be exit 0 with the signer's key; without it the evidence cannot say who signed
            outcome = Outcome.INCONCLUSIVE;
            String prefix = "SELF-CONSISTENT, " + note(audit);
            statement = r.statement() == null ? prefix
                    : r.statement().startsWith("VERIFIED: the ledger is intact")
                            ? prefix + r.statement().substring("VERIFIED: the ledger is intact".length())
                            : prefix + "; " + r.statement();
        } else {
            statement = r.statement() == null ? note(audit) : r.statement() + "; " + note(audit);
        }
        List<String> notChecked = new ArrayList<>();
        notChecked.add("signer: no --key given, so who signed the ledger is not checked (exit 5 where it would otherwise be 0);"
                + " pass the signer's PREFIX.pub with --key");
        notChecked.addAll(r.notChecked());
        return new Report(r.command(), r.subject(), outcome, outcome.exitCode(), statement, r.checks(), notChecked,
                r.parameters(), r.integrity());
    }
}
