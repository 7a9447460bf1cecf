package org.trainproof.analysis;

import java.util.ArrayList;
import java.util.List;
import org.trainproof.ledger.CheckpointLineage;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * How the analysis orders a run with claimed resumes ({@code record --resume R}, {@link CheckpointLineage}):
 * the trajectory is the lineage (checkpoints of an abandoned attempt left out), each claim is a declared
 * "resume" event at step R, and in each metric series a step going back to s &ge; R (the restarted process
 * logging again from its checkpoint) replaces the earlier records at steps &ge; s: the abandoned attempt's.
 */
public final class ResumeClaims {
    private ResumeClaims() {}

    /** Text prefix of the events made from claims (other "resume" events come from {@code event} entries). */
    static final String PREFIX = "resume claimed by checkpoint entry ";

    /** The declared event of a claim. */
    static RunEvent event(CheckpointLineage.Resume r) {
        List<Long> gone = r.superseded().stream().map(CheckpointLineage.Point::step).toList();
        return new RunEvent(r.from(), "resume", PREFIX + r.seq() + " (step " + r.step() + "): training restarted from the checkpoint at step "
                + r.from() + (gone.isEmpty() ? "" : "; the abandoned attempt's checkpoints at steps " + gone
                        + " are not part of the trajectory"));
    }

    /**
     * Compacts the first n rows in place (ledger order) and returns the new count: at a row whose step s is not
     * after the previous kept row's and s &ge; {@code from}, the kept rows at steps &ge; s are dropped first.
     * Any other step going back is kept as logged (the checks report it as before).
     */
    static int order(long[] steps, double[] values, double[] times, int n, long from) {
        int out = 0;
        for (int i = 0; i < n; i++) {
            long s = steps[i];
            if (out > 0 && s <= steps[out - 1] && s >= from) {
                while (out > 0 && steps[out - 1] >= s) out--;
            }
            steps[out] = s;
            values[out] = values[i];
            times[out] = times[i];
            out++;
        }
        return out;
    }

    /** INFO findings naming each claimed resume (shown with the RESUME check). */
    static List<Finding> findings(AnalysisInput in) {
        List<Finding> out = new ArrayList<>();
        for (RunEvent e : in.events()) {
            if ("resume".equals(e.kind()) && e.text() != null && e.text().startsWith(PREFIX)) {
                out.add(Finding.of(FindingCodes.RESUME_CLAIMED, Severity.INFO, e.text()).at(Location.step(e.step())));
            }
        }
        return out;
    }
}
