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

    /** Receives lines in reverse order; returns false to stop. */
    interface BackwardHandler {
        boolean line(byte[] buf, int off, int len);
    }

    /**
     * Hands the lines that end at or before byte {@code from} (a line start) to {@code h}, last first,
     * with the same content {@link #scan} gives them (no {@code \n}, no {@code \r} before it, no UTF-8
     * BOM at the start of the file), until {@code h} returns false or the file's start is reached. Reads
     * backward in 64 KiB blocks; a line longer than {@link #MAX_LINE} is refused as in a forward scan.
     */
    static void backward(Path file, long from, BackwardHandler h) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            byte[] buf = new byte[1 << 16];
            int len = 0; // bytes held: file bytes [base, base + len)
            long base = from;
            // the line ending at lineEnd (exclusive of its \n) starts after the previous \n
            long lineEnd = from > 0 ? from - 1 : 0;
            if (from == 0) return;
            while (true) {
                // find the previous \n before lineEnd, reading more blocks as needed
                int i = (int) (lineEnd - base) - 1;
                while (i < 0 || buf[i] != '\n') {
                    if (i >= 0) {
                        i--;
                        continue;
                    }
                    if (base == 0) break;
                    int more = (int) Math.min(buf.length / 2, base);
                    if (len + more > buf.length) {
                        if (len + more > MAX_LINE + (1 << 16)) {
                            throw TrainproofException.badInput(file.toString(), "line longer than " + MAX_LINE + " bytes before byte " + lineEnd);
                        }
                        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
                    }
                    System.arraycopy(buf, 0, buf, more, len);
                    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf, 0, more);
                    long pos = base - more;
                    while (bb.hasRemaining()) {
                        int r = ch.read(bb, pos + bb.position());
                        if (r < 0) throw TrainproofException.badInput(file.toString(), "file shrank while read backward");
                    }
                    base -= more;
                    len += more;
                    // search the new block, below lineEnd (the bytes between them were searched already)
                    i = (int) Math.min(more, lineEnd - base) - 1;
                }
                int s = i + 1; // line start in buf (i == -1 at the file's start)
                int e = (int) (lineEnd - base);
                if (base + s == 0) s = skipBom(buf, s, e);
                if (e > s && buf[e - 1] == '\r') e--;
                if (!h.line(buf, s, e - s)) return;
                if (i < 0) return; // the file's first line was handed over
                lineEnd = base + i; // the \n before this line ends the previous one
                len = i; // keep only what lies before it
            }
        } catch (IOException e) {
            throw TrainproofException.badInput(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static int skipBom(byte[] b, int s, int e) {
        if (e - s >= 3 && (b[s] & 0xff) == 0xEF && (b[s + 1] & 0xff) == 0xBB && (b[s + 2] & 0xff) == 0xBF) return s + 3;
        return s;
    }
}
