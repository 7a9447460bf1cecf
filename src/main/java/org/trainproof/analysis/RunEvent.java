package org.trainproof.analysis;

/**
 * A declared event at a step (ledger {@code event} entries): {@code kind} such as "resume",
 * "restart", "config_change", "optimizer_reset", "note", and free text.
 */
public record RunEvent(long step, String kind, String text) {
    /** True if the event declares that optimizer state was re-initialised at this step. */
    public boolean declaresOptimizerReset() {
        String all = ((kind == null ? "" : kind) + " " + (text == null ? "" : text)).toLowerCase(java.util.Locale.ROOT);
        return all.contains("optimizer_reset") || all.contains("optimizer reset") || all.contains("fresh optimizer")
                || all.contains("reset optimizer");
    }
}
