package org.trainproof.verdict;

/**
 * Which side of its threshold a check's reported statistic must be on to count against the run (issue 13):
 * a reader of the checks table sees, for every check, the statistic of the rule that decided, its threshold
 * and this direction, so a PASS can be checked against its own numbers.
 *
 * <ul>
 *   <li>{@link #FAILS_ABOVE} / {@link #FAILS_BELOW}: a hard rule — the check FAILs when the statistic is above
 *       (below) the threshold, and PASSes only on the other side (equality is allowed either way: the rules differ in
 *       whether "at the threshold" fails, the check's own detail says which).</li>
 *   <li>{@link #WARNS_ABOVE} / {@link #WARNS_BELOW}: a soft rule — it never FAILs; a statistic on that side makes the
 *       check INCONCLUSIVE (a warning, not evidence by itself), the other side PASSes.</li>
 *   <li>{@link #NONE}: the reported number is not compared to a line (a count, or a check without a statistic).</li>
 * </ul>
 */
public enum Direction {
    FAILS_ABOVE, FAILS_BELOW, WARNS_ABOVE, WARNS_BELOW, NONE;

    /** A soft rule: never FAIL, only INCONCLUSIVE. */
    public boolean soft() {
        return this == WARNS_ABOVE || this == WARNS_BELOW;
    }

    /** "fails above", "warns below", ... — the words the reports print before the threshold. */
    public String words() {
        return switch (this) {
            case FAILS_ABOVE -> "fails above";
            case FAILS_BELOW -> "fails below";
            case WARNS_ABOVE -> "warns above";
            case WARNS_BELOW -> "warns below";
            case NONE -> "";
        };
    }

    /** "fails above 1", "warns below 0.3333, soft": the terminal threshold cell; "" for NONE. */
    public String phrase(String threshold) {
        if (this == NONE || threshold == null) return "";
        return words() + " " + threshold + (soft() ? ", soft" : "");
    }
}
