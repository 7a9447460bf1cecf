package org.trainproof.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The issue-13 invariant on the checks of a JSON report, from its fields alone ({@code status}, {@code statistic},
 * {@code threshold}, {@code direction}, {@code rule}) and never from the checks' code — the comparison is written
 * out here, not borrowed from {@link Direction}: a PASS is never strictly on the flagged side of its own threshold, a
 * FAIL never strictly on the passing side, a soft rule ({@code WARNS_*}) never FAILs, direction and rule come
 * together, and every PASS/FAIL with a numeric statistic and threshold names a direction (a check cannot escape the
 * invariant by leaving it out). Used by {@code ReportedDirectionInvariantTest} and {@code TorchCalibrationQuickTest}.
 */
public final class ReportedSides {
    private ReportedSides() {}

    /** The violations among {@code checks} (the report's "checks" array, or its check objects), each naming {@code source}. */
    public static List<String> violations(String source, Iterable<JsonNode> checks) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : checks) {
            String id = c.path("id").asText(), status = c.path("status").asText();
            JsonNode st = c.get("statistic"), th = c.get("threshold"), dir = c.get("direction"), rule = c.get("rule");
            String where = source + " " + id + " " + status + " statistic " + st + " threshold " + th + " direction " + dir + ": ";
            if ((dir == null) != (rule == null)) out.add(where + "direction and rule must come together");
            boolean numbers = st != null && st.isNumber() && th != null && th.isNumber();
            boolean decided = status.equals("PASS") || status.equals("FAIL");
            if (!numbers || !decided) continue;
            if (dir == null || dir.asText().equals("NONE")) {
                out.add(where + "a decided check with a statistic and a threshold names no direction");
                continue;
            }
            double s = st.doubleValue(), t = th.doubleValue();
            String d = dir.asText();
            boolean above = d.endsWith("_ABOVE"), soft = d.startsWith("WARNS_");
            if (!above && !d.endsWith("_BELOW")) {
                out.add(where + "unknown direction");
                continue;
            }
            boolean onFlaggedSide = above ? s > t : s < t, onPassingSide = above ? s < t : s > t;
            if (status.equals("PASS") && onFlaggedSide) out.add(where + "PASS with the statistic on the " + (soft ? "warning" : "failing") + " side");
            if (status.equals("FAIL") && soft) out.add(where + "a soft rule FAILed");
            if (status.equals("FAIL") && onPassingSide) out.add(where + "FAIL with the statistic on the passing side");
        }
        return out;
    }
}
