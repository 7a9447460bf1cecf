package org.trainproof.trainlog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.trainproof.TrainproofException;
import org.trainproof.verdict.Severity;

/**
 * MLflow file store (formats.md §5.3): each {@code <run>/metrics/<key>} file has lines
 * {@code "<timestamp_ms> <value> [<step>]"}; a key with '/' is a sub-directory. Given an
 * {@code mlruns/} directory, an experiment or a run directory, every metric file below it is read
 * (sorted by path); given one metric file, that file. Unknown folders are ignored.
 */
final class MlflowReader {
    private MlflowReader() {}

    static void read(Path path, RecordSink sink) {
        read(path, sink, f -> 0);
    }

    /**
     * As {@link #read(Path, RecordSink)}, each metric file from byte {@code resumeAt(its name)} on (a
     * line start: where a ledger left off; every line stands alone, so nothing before it is read).
     */
    static void read(Path path, RecordSink sink, java.util.function.ToLongFunction<String> resumeAt) {
        if (!Files.isDirectory(path)) {
            readMetricFile(path, path.getFileName().toString(), sink, resumeAt.applyAsLong(path.toString()));
            return;
        }
        try (Stream<Path> s = Files.walk(path)) {
            List<Path> files = s.filter(Files::isRegularFile)
                    .filter(p -> metricsDir(p) != null)
                    .filter(p -> !p.toString().contains(".trash"))
                    .sorted().toList();
            for (Path f : files) {
                String key = metricsDir(f).relativize(f).toString().replace('\\', '/');
                readMetricFile(f, key, sink, resumeAt.applyAsLong(f.toString()));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw TrainproofException.badInput(path, "cannot list directory: " + e.getMessage(), e);
        }
    }

    /** The nearest ancestor named "metrics" whose sibling is meta.yaml, or null. */
    private static Path metricsDir(Path f) {
        for (Path d = f.getParent(); d != null; d = d.getParent()) {
            if (d.getFileName() != null && d.getFileName().toString().equals("metrics")
                    && Files.isRegularFile(d.resolveSibling("meta.yaml"))) {
                return d;
            }
        }
        return null;
    }

    private static void readMetricFile(Path f, String key, RecordSink sink, long from) {
        String display = f.toString();
        long[] stable = {from};
        LineScanner.Scan sc = LineScanner.scan(f, from, (buf, off, len, lineNo, start, end, terminated) -> {
            String line = new String(buf, off, len, StandardCharsets.UTF_8);
            SourceRef src = new SourceRef(display, lineNo, -1, start, end);
            if (line.isBlank()) {
                if (terminated) stable[0] = end;
                return;
            }
            String[] parts = line.split(" ", -1);
            Double ts = parts.length >= 2 ? Numbers.parse(parts[0]) : null;
            Double v = parts.length >= 2 ? Numbers.parse(parts[1]) : null;
            Long step = parts.length == 3 ? Numbers.step(parts[2]) : parts.length == 2 ? Long.valueOf(0) : null;
            if (ts == null || v == null || step == null || parts.length > 3) {
                if (terminated) {
                    sink.finding(LogFindings.MALFORMED_RECORD, Severity.WARNING, key, src.location(),
                            "MLflow metric line must be '<timestamp_ms> <value> [<step>]'; skipped");
                    stable[0] = end;
                } else {
                    sink.finding(LogFindings.TRUNCATED_LAST_RECORD, Severity.WARNING, key, src.location(),
                            "last line is incomplete; not read");
                }
                return;
            }
            if (parts.length == 2) {
                sink.finding(LogFindings.STEP_MISSING, Severity.INFO, key, src.location(),
                        "old MLflow line without step; step 0 as MLflow does");
            }
            sink.add(step, key, v, ts / 1000.0, src);
            if (terminated) {
                stable[0] = end;
            } else {
                sink.finding(LogFindings.UNTERMINATED_LAST_LINE, Severity.INFO, "", src.location(),
                        "last line has no newline (file may still be written); read, but a ledger stops before it");
            }
        });
        sink.files.add(new LogReadResult.FileRange(display, sc.size(), stable[0], sc.lines()));
    }
}
