package org.trainproof.watch;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Which logs {@code watch} records for a run directory: one source of truth, so two logs of the same
 * metrics are never merged into one series. A dedicated trainproof log ({@value #DEDICATED}, written
 * by the Python recorder) wins; else the logs given with {@code --log}; else ONE log-like file found:
 * the one(s) this ledger already records from the run directory (so a restarted watcher keeps its
 * choice), else the first by {@link #rank} (append-only logs before {@code trainer_state.json}, which
 * the HF Trainer rewrites whole and which repeats the metrics of its own JSONL/console/TensorBoard
 * logs), then shallowest, then by name. Paths matching an {@code --exclude} glob (relative to the run
 * directory, '/' separators) are never recorded.
 */
public final class LogSources {
    /** The file name of the Python recorder's dedicated JSONL log. */
    public static final String DEDICATED = "trainproof-log.jsonl";

    private final Path runDir;
    private final List<PathMatcher> excludes = new ArrayList<>();

    public LogSources(Path runDir, List<String> excludeGlobs) {
        this.runDir = runDir.toAbsolutePath().normalize();
        for (String g : excludeGlobs) excludes.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
    }

    /** True if {@code p} (absolute, or relative to the run directory) matches an exclude glob. */
    public boolean excluded(Path p) {
        Path abs = runDir.resolve(p).normalize();
        Path rel = abs.startsWith(runDir) ? runDir.relativize(abs) : abs;
        for (PathMatcher m : excludes) {
            if (m.matches(rel) || m.matches(abs.getFileName())) return true;
        }
        return false;
    }

    /** The logs to record: {@code explicit} are the --log paths, {@code found} the log-like files under the run directory. */
    public List<Path> select(List<Path> explicit, List<Path> found) {
        return select(explicit, found, java.util.Set.of());
    }

    /**
     * As {@link #select(List, List)}; {@code recorded} are the sources (names relative to the run
     * directory) the ledger already holds metrics from: when neither a dedicated log nor --log decides,
     * the found files among them are kept, else exactly one found file is chosen.
     */
    public List<Path> select(List<Path> explicit, List<Path> found, java.util.Set<String> recorded) {
        List<Path> dedicated = new ArrayList<>();
        for (Path p : found) if (p.getFileName().toString().equals(DEDICATED) && !excluded(p)) dedicated.add(p);
        if (!dedicated.isEmpty()) return dedicated;
        List<Path> out = new ArrayList<>();
        if (!explicit.isEmpty()) {
            for (Path p : explicit) if (!excluded(p) && !out.contains(p)) out.add(p);
            return out;
        }
        List<Path> candidates = new ArrayList<>();
        for (Path p : found) if (!excluded(p) && !candidates.contains(p)) candidates.add(p);
        for (Path p : candidates) if (recorded.contains(relName(p))) out.add(p);
        if (!out.isEmpty()) return out;
        candidates.sort(java.util.Comparator.comparingInt((Path p) -> rank(p.getFileName().toString()))
                .thenComparingInt(p -> runDir.resolve(p).normalize().getNameCount())
                .thenComparing(p -> relName(p)));
        return candidates.isEmpty() ? List.of() : List.of(candidates.get(0));
    }

    /** The name the ledger stores for {@code p}: relative to the run directory when inside it, '/' separators. */
    public String relName(Path p) {
        Path abs = runDir.resolve(p).normalize();
        return (abs.startsWith(runDir) ? runDir.relativize(abs) : abs).toString().replace('\\', '/');
    }

    /**
     * Preference among found logs (lower first): the trainer's own append-only logs, whose recorded
     * prefix watch can hold to (JSONL, CSV, TensorBoard events, console logs), then trainer_state.json,
     * rewritten whole at every save.
     */
    static int rank(String name) {
        if (name.endsWith(".jsonl")) return 0;
        if (name.endsWith(".csv")) return 1;
        if (name.startsWith("events.out.tfevents.")) return 2;
        if (name.endsWith(".log")) return 3;
        if (name.endsWith(".txt")) return 4;
        if (name.equals("trainer_state.json")) return 5;
        return 6;
    }
}
