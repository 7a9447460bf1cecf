package org.trainproof.trainlog;

import java.util.List;
import org.trainproof.verdict.Finding;

/**
 * What a reader found in one file or run directory: the records in file order, the findings, the
 * format, and per source file the byte position up to which the file was completely read
 * ({@code stableEnd}: after the last complete record; a ledger resumes from there).
 */
public record LogReadResult(String path, LogFormat format, List<MetricRecord> records, List<Finding> findings,
        List<FileRange> files) {

    /**
     * One file read: its path, its size when read, the end of its last complete record, and how many
     * raw units it held (lines for text formats, TFRecords for event files, log_history entries or
     * golden values for JSON documents).
     */
    public record FileRange(String file, long size, long stableEnd, long units) {}

    public LogReadResult {
        records = List.copyOf(records);
        findings = List.copyOf(findings);
        files = List.copyOf(files);
    }
}
