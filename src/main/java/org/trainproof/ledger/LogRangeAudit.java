package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * Part of the integrity audit, without the files: each log byte is recorded at most once. Chunks of
 * an appended log tile the file (docs/metrics-entry.md), so a chunk starting before the end of an
 * earlier chunk of the same source records bytes twice ({@link LedgerFindings#LOG_RANGE_OVERLAP}).
 * A rewritten file's ranges describe different versions and may overlap; for those only the same
 * range with the same SHA-256 twice is a duplicate (the recorder records only records not yet in
 * the ledger, so it never hashes one version's bytes twice). Memory: one small record per source.
 */
final class LogRangeAudit {
    private static final class Source {
        long end = -1;
        long endSeq = -1;
        final Set<String> ranges = new HashSet<>();
    }

    private final Map<String, Source> sources = new HashMap<>();
    private final Consumer<Finding> sink;
    private final String file;

    LogRangeAudit(String file, Consumer<Finding> sink) {
        this.file = file;
        this.sink = sink;
    }

    /** Takes one metrics entry's body, in seq order. Malformed bodies are left to the other checks. */
    void add(long seq, JsonNode body) {
        JsonNode range = body.path("byte_range");
        String source = body.path("source").asText(null);
        if (source == null || !range.isArray() || range.size() != 2 || !range.get(0).canConvertToLong()
                || !range.get(1).canConvertToLong()) {
            return;
        }
        LogFormat format;
        try {
            format = LogFormat.parse(body.path("format").asText(""));
        } catch (IllegalArgumentException e) {
            return;
        }
        long start = range.get(0).asLong();
        long end = range.get(1).asLong();
        Source s = sources.computeIfAbsent(source, k -> new Source());
        Location at = Location.file(file).withEntry(seq).withOffset(start);
        if (LogRecorder.isRewritten(format)) {
            if (!s.ranges.add(start + "," + end + "," + body.path("sha256").asText())) {
                sink.accept(Finding.of(LedgerFindings.LOG_RANGE_OVERLAP, Severity.FAIL, "log '" + source + "' bytes [" + start + ","
                        + end + ") with the same SHA-256 are recorded twice (records duplicated)").at(at));
            }
            return;
        }
        if (start < s.end && end > start) {
            sink.accept(Finding.of(LedgerFindings.LOG_RANGE_OVERLAP, Severity.FAIL, "log '" + source + "' bytes [" + start + ","
                    + end + ") overlap bytes recorded up to " + s.end + " by entry " + s.endSeq + " (records duplicated)")
                    .at(at).withMismatch(s.end, start));
        }
        if (end > s.end) {
            s.end = end;
            s.endSeq = seq;
        }
    }
}
