package org.trainproof.watch;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Which logs {@code watch} records for a run directory: one source of truth, so two logs of the same
 * metrics are never merged into one series. A dedicated trainproof log ({@value #DEDICATED}, written
 * by the Python recorder) wins; else the logs given with {@code --log}; else every log-like file found.
 * Paths matching an {@code --exclude} glob (relative to the run directory, '/' separators) are never
 * recorded.
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
        List<Path> dedicated = new ArrayList<>();
        for (Path p : found) if (p.getFileName().toString().equals(DEDICATED) && !excluded(p)) dedicated.add(p);
        if (!dedicated.isEmpty()) return dedicated;
        List<Path> out = new ArrayList<>();
        for (Path p : explicit.isEmpty() ? found : explicit) if (!excluded(p) && !out.contains(p)) out.add(p);
        return out;
    }
}
