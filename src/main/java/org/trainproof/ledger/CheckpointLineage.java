package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checkpoints a run's final weights descend from, in step order, given the ledger's checkpoint
 * entries in ledger order and their resume claims ({@code record --resume R}: body field
 * {@value #RESUME_FROM}). A claim says the training process was restarted from the recorded checkpoint
 * at step R; every checkpoint recorded before the claim at a step after R belongs to the abandoned
 * attempt and is superseded (still signed and re-hashed by the audit, but not part of the trajectory
 * the weight checks read). Without claims the lineage is every checkpoint, as recorded.
 */
public final class CheckpointLineage {
    /** The checkpoint body field holding a resume claim: the step of the recorded checkpoint training resumed from. */
    public static final String RESUME_FROM = "resume_from";

    /** One checkpoint entry. */
    public record Point(long seq, long step) {}

    /** One claimed resume: the entry claiming it, its step, the step resumed from, the checkpoints it superseded. */
    public record Resume(long seq, long step, long from, List<Point> superseded) {}

    private final List<Point> kept = new ArrayList<>();
    private final List<Point> superseded = new ArrayList<>();
    private final List<Resume> resumes = new ArrayList<>();

    /** The resume claim of a checkpoint entry's body, if any. */
    /** As {@link #resumeFrom(JsonNode)} of an entry's body (read without copying it). */
    public static Optional<Long> resumeFrom(LedgerEntry e) {
        return resumeFrom(e.bodyView());
    }

    public static Optional<Long> resumeFrom(JsonNode body) {
        JsonNode r = body == null ? null : body.get(RESUME_FROM);
        return r != null && r.canConvertToLong() ? Optional.of(r.asLong()) : Optional.empty();
    }

    /** The lineage of a ledger's checkpoint entries (entries with seq &lt; {@code limit}). */
    public static CheckpointLineage of(Ledger ledger, long limit) {
        CheckpointLineage l = new CheckpointLineage();
        ledger.forEachEntry(e -> {
            if (e.seq() < limit && e.kind().equals(EntryKinds.CHECKPOINT) && e.step().isPresent()) {
                l.add(e.seq(), e.step().get(), resumeFrom(e.body()).orElse(null));
            }
        });
        return l;
    }

    /** Adds the next checkpoint entry (ledger order); {@code resumeFrom} null when it claims no resume. */
    public void add(long seq, long step, Long resumeFrom) {
        if (resumeFrom != null) {
            List<Point> gone = new ArrayList<>();
            kept.removeIf(p -> {
                if (p.step() > resumeFrom) {
                    gone.add(p);
                    return true;
                }
                return false;
            });
            superseded.addAll(gone);
            resumes.add(new Resume(seq, step, resumeFrom, List.copyOf(gone)));
        }
        kept.add(new Point(seq, step));
    }

    /** True if a checkpoint of the current lineage is at {@code step}. */
    public boolean hasStep(long step) {
        return kept.stream().anyMatch(p -> p.step() == step);
    }

    /** The lineage, in ledger order (for a ledger written by {@code record}, also step order). */
    public List<Point> kept() {
        return List.copyOf(kept);
    }

    public List<Point> superseded() {
        return List.copyOf(superseded);
    }

    public List<Resume> resumes() {
        return List.copyOf(resumes);
    }

    /** The largest step of the lineage, if any. */
    public Optional<Long> lastStep() {
        return kept.stream().map(Point::step).max(Long::compare);
    }
}
