package org.trainproof.trainlog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.trainproof.verdict.Severity;

/**
 * CSV logs with a header row, incl. Lightning {@code metrics.csv} (formats.md §5.5): columns are
 * found by header name (their order varies), empty cells mean "not logged in this row", values are
 * Python {@code str(float)} ({@code nan}, {@code inf}). Quoted cells (RFC 4180) are accepted.
 * A header row that reappears mid-file (Lightning rewrites the file with a wider header) starts a
 * new column mapping.
 */
final class CsvLogReader {
    static final Set<String> STEP_COLUMNS = Set.of("step", "global_step", "_step", "iteration", "iter", "trainer/global_step");
    static final Set<String> WALL_COLUMNS = Set.of("wall_time", "timestamp", "_timestamp", "time_s");

    private CsvLogReader() {}

    static void read(Path path, String display, RecordSink sink) {
        read(path, display, sink, 0);
    }

    /**
     * Reads the rows from byte {@code from} on (a line start: where a ledger left off). The lines
     * before it are only looked at for the header in force there (the first non-blank line, or a
     * later header row); their rows are neither parsed nor reported, and line numbers stay the file's.
     */
    static void read(Path path, String display, RecordSink sink, long from) {
        String[][] header = {null};
        int[] stepCol = {-1};
        int[] wallCol = {-1};
        long[] stable = {from};
        long[] ordinal = {0};
        LineScanner.Scan sc = LineScanner.scan(path, (buf, off, len, lineNo, start, end, terminated) -> {
            if (start < from && header[0] != null && !mayBeHeader(buf, off, len)) return; // a recorded row
            String line = new String(buf, off, len, StandardCharsets.UTF_8);
            SourceRef src = new SourceRef(display, lineNo, -1, start, end);
            if (line.isBlank()) {
                if (terminated) stable[0] = Math.max(stable[0], end);
                return;
            }
            List<String> cells = split(line);
            if (start < from && header[0] != null && !isHeader(cells, header[0])) return;
            if (header[0] == null || isHeader(cells, header[0])) {
                header[0] = cells.toArray(new String[0]);
                stepCol[0] = -1;
                wallCol[0] = -1;
                for (int i = 0; i < header[0].length; i++) {
                    String h = header[0][i].trim().toLowerCase(Locale.ROOT);
                    if (stepCol[0] < 0 && STEP_COLUMNS.contains(h)) stepCol[0] = i;
                    if (wallCol[0] < 0 && WALL_COLUMNS.contains(h)) wallCol[0] = i;
                }
                if (terminated) stable[0] = Math.max(stable[0], end);
                return;
            }
            if (cells.size() != header[0].length) {
                if (terminated) {
                    sink.finding(LogFindings.MALFORMED_RECORD, Severity.WARNING, "", src.location(),
                            "row has " + cells.size() + " cells, header has " + header[0].length + "; row skipped");
                    stable[0] = end;
                } else {
                    sink.finding(LogFindings.TRUNCATED_LAST_RECORD, Severity.WARNING, "", src.location(),
                            "last row is incomplete; not read");
                }
                return;
            }
            Long step = null;
            String badStep = null;
            if (stepCol[0] >= 0) {
                step = Numbers.step(cells.get(stepCol[0]));
                if (step == null && !cells.get(stepCol[0]).isBlank()) badStep = cells.get(stepCol[0]);
            }
            if (step == null) {
                step = ordinal[0];
                sink.finding(LogFindings.STEP_MISSING, Severity.WARNING, "", src.location(),
                        badStep != null ? Numbers.badStep(badStep) + "; numbered by row order" : "row has no step value; numbered by row order");
                sink.stepsByOrder(src.location(), badStep);
            }
            ordinal[0]++;
            Double wall = wallCol[0] >= 0 ? Numbers.parse(cells.get(wallCol[0])) : null;
            long before = sink.count();
            for (int i = 0; i < cells.size(); i++) {
                if (i == stepCol[0] || i == wallCol[0]) continue;
                String c = cells.get(i).trim();
                if (c.isEmpty()) continue;
                String name = header[0][i].trim();
                Double v = Numbers.parse(c);
                if (v == null) {
                    sink.finding(LogFindings.NON_NUMERIC_VALUE, Severity.INFO, name, src.location(),
                            "value '" + c + "' of '" + name + "' is not a number; skipped");
                    continue;
                }
                sink.add(step, name, v, wall, src);
            }
            if (terminated) {
                stable[0] = end;
            } else if (sink.count() > before) {
                sink.finding(LogFindings.UNTERMINATED_LAST_LINE, Severity.INFO, "", src.location(),
                        "last line has no newline (file may still be written); read, but a ledger stops before it");
            }
        });
        sink.files.add(new LogReadResult.FileRange(display, sc.size(), stable[0], sc.lines()));
    }

    /**
     * False only for a line {@link #isHeader} would refuse for its first cell (empty or a number):
     * the rows before a resume point are skipped on that alone, without splitting them. A line with a
     * quote is split in full.
     */
    private static boolean mayBeHeader(byte[] buf, int off, int len) {
        int e = off;
        while (e < off + len && buf[e] != ',') {
            if (buf[e] == '"') return true;
            e++;
        }
        if (e == off + len) return true; // one cell: split in full (isHeader refuses it anyway)
        String first = new String(buf, off, e - off, StandardCharsets.UTF_8).trim();
        return !first.isEmpty() && Numbers.parse(first) == null;
    }

    private static boolean isHeader(List<String> cells, String[] current) {
        if (cells.size() < 2) return false;
        boolean hasStep = false;
        for (String c : cells) {
            String t = c.trim();
            if (t.isEmpty() || Numbers.parse(t) != null) return false;
            if (STEP_COLUMNS.contains(t.toLowerCase(Locale.ROOT))) hasStep = true;
        }
        return hasStep;
    }

    /** Splits one CSV line (RFC 4180 quoting, no embedded newlines). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean q = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (q) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        q = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                q = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
