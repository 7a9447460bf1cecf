package org.trainproof.trainlog;

import org.trainproof.verdict.Location;

/**
 * Where one metric record came from: the file, its 1-based line (0 when the format has no lines),
 * its record index (TFRecord index or JSON entry index; -1 when not applicable) and the byte range
 * {@code [start, end)} of the raw bytes it was parsed from. Several records parsed from one line or
 * one event share the same range. Requires {@code 0 <= start <= end}.
 */
public record SourceRef(String file, long line, long index, long start, long end) {
    public SourceRef {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad byte range [" + start + "," + end + ")");
        }
    }

    /** The location of this source for a finding: file, line (if any), byte offset. */
    public Location location() {
        Location l = Location.file(file);
        if (line > 0) l = l.withLine(line);
        else l = l.withOffset(start);
        return l;
    }
}
