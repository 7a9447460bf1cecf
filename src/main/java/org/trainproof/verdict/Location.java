package org.trainproof.verdict;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a finding applies. Every field is optional; set what is known: the file (and line, or byte
 * offset), the training step, the tensor, the ledger entry index.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Location(String file, Long line, Long offset, Long step, String tensor, Long entry) {
    public static final Location NONE = new Location(null, null, null, null, null, null);

    public static Location file(Object file) {
        return NONE.withFile(file);
    }

    public static Location step(long step) {
        return NONE.withStep(step);
    }

    public static Location entry(long index) {
        return NONE.withEntry(index);
    }

    public Location withFile(Object f) {
        return new Location(f == null ? null : f.toString(), line, offset, step, tensor, entry);
    }

    public Location withLine(long l) {
        return new Location(file, l, offset, step, tensor, entry);
    }

    public Location withOffset(long o) {
        return new Location(file, line, o, step, tensor, entry);
    }

    public Location withStep(long s) {
        return new Location(file, line, offset, s, tensor, entry);
    }

    public Location withTensor(String t) {
        return new Location(file, line, offset, step, t, entry);
    }

    public Location withEntry(long e) {
        return new Location(file, line, offset, step, tensor, e);
    }

    /** A short human form such as {@code ledger.db entry 12 step 400 tensor h.0.w}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file);
        if (line != null) sb.append(sb.length() > 0 ? ":" : "line ").append(line);
        if (offset != null) sb.append(sb.length() > 0 ? " " : "").append("byte ").append(offset);
        if (entry != null) sb.append(sb.length() > 0 ? " " : "").append("entry ").append(entry);
        if (step != null) sb.append(sb.length() > 0 ? " " : "").append("step ").append(step);
        if (tensor != null) sb.append(sb.length() > 0 ? " " : "").append("tensor ").append(tensor);
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
