package org.trainproof.trainlog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.trainproof.TrainproofException;

/**
 * Streams a file line by line with exact byte offsets, in constant memory (one buffer that grows
 * only for a long line, up to {@link #MAX_LINE}). Line content excludes the {@code \n} and a
 * {@code \r} before it, and a UTF-8 BOM at the start of the file.
 */
final class LineScanner {
    static final int MAX_LINE = 64 << 20;

    /** Receives each line. {@code end} is the offset after the newline (or EOF). */
    interface Handler {
        void line(byte[] buf, int off, int len, long lineNo, long start, long end, boolean terminated);
    }

    /** The size read and the number of lines (an unterminated last line counts). */
    record Scan(long size, long lines) {}

    private LineScanner() {}

    /** Scans {@code file}. */
    static Scan scan(Path file, Handler h) {
        try (InputStream in = Files.newInputStream(file)) {
            return scan(in, file.toString(), h);
        } catch (IOException e) {
            throw TrainproofException.badInput(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Scans {@code file} from byte {@code from}, which must be the start of a line (0, or just after a
     * {@code \n}): the lines before it are counted, not handed over, so line numbers stay the file's.
     */
    static Scan scan(Path file, long from, Handler h) {
        if (from == 0) return scan(file, h);
        try (InputStream in = Files.newInputStream(file)) {
            long lines = 0;
            byte[] b = new byte[1 << 16];
            long left = from;
            byte last = 0;
            while (left > 0) {
                int r = in.read(b, 0, (int) Math.min(b.length, left));
                if (r < 0) throw TrainproofException.badInput(file, "shorter than the resume position " + from);
                for (int i = 0; i < r; i++) if (b[i] == '\n') lines++;
                last = b[r - 1];
                left -= r;
            }
            if (last != '\n') {
                throw TrainproofException.badInput(file, "byte " + from + " (the end of what was recorded) does not start a line;"
                        + " the file changed while it was read?");
            }
            return scan(in, file.toString(), from, lines, h);
        } catch (IOException e) {
            throw TrainproofException.badInput(file, "cannot read: " + e.getMessage(), e);
        }
    }

    static Scan scan(InputStream in, String name, Handler h) throws IOException {
        return scan(in, name, 0, 0, h);
    }

    /** Scans {@code in}, whose first byte is byte {@code base} of the file, after {@code lineNo} lines. */
    private static Scan scan(InputStream in, String name, long base, long lineNo, Handler h) throws IOException {
        byte[] buf = new byte[1 << 16];
        int len = 0; // bytes in buf
        int pos = 0; // start of current line in buf
        // base: file offset of buf[0]; lineNo: lines before the current one
        boolean first = base == 0;
        while (true) {
            if (pos > 0 && (len - pos) < buf.length / 2) {
                System.arraycopy(buf, pos, buf, 0, len - pos);
                len -= pos;
                base += pos;
                pos = 0;
            }
            if (len == buf.length) {
                if (buf.length >= MAX_LINE) {
                    throw TrainproofException.badInput(name + ":" + (lineNo + 1), "line longer than " + MAX_LINE + " bytes");
                }
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int scanFrom = len;
            int r = in.read(buf, len, buf.length - len);
            if (r < 0) break;
            len += r;
            int i = Math.max(scanFrom, pos);
            for (; i < len; i++) {
                if (buf[i] == '\n') {
                    int s = pos;
                    int e = i;
                    if (first) {
                        s = skipBom(buf, s, e);
                        first = false;
                    }
                    if (e > s && buf[e - 1] == '\r') e--;
                    lineNo++;
                    h.line(buf, s, e - s, lineNo, base + pos, base + i + 1, true);
                    pos = i + 1;
                }
            }
        }
        if (len > pos) {
            int s = first ? skipBom(buf, pos, len) : pos;
            int e = len;
            if (e > s && buf[e - 1] == '\r') e--;
            lineNo++;
            h.line(buf, s, e - s, lineNo, base + pos, base + len, false);
        }
        return new Scan(base + len, lineNo);
    }

    private static int skipBom(byte[] b, int s, int e) {
        if (e - s >= 3 && (b[s] & 0xff) == 0xEF && (b[s + 1] & 0xff) == 0xBB && (b[s + 2] & 0xff) == 0xBF) return s + 3;
        return s;
    }
}
