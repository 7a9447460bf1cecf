package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.trainproof.TrainproofException;

/**
 * The central directory of a zip held in a byte window [{@code base}, base + {@code length}) of a file
 * (a whole {@code .pt}, or a torch.save archive embedded in a DCP {@code .distcp}), ZIP64 included.
 * Entries are found by name; a stored entry's data is read in place at {@link #dataOffset} (from the
 * local header's own name and extra lengths: torch writes sizes only in the central directory).
 * Bounded: at most {@link #MAX_ENTRIES} entries and a central directory of at most 64 MiB.
 */
final class ZipIndex {
    static final int MAX_ENTRIES = 1_000_000;

    record Entry(String name, int method, long compressedSize, long size, long localHeader) {}

    private final FileChannel ch;
    private final long base;
    private final long length;
    private final String where;
    final Map<String, Entry> entries = new LinkedHashMap<>();
    String firstName;

    private ZipIndex(FileChannel ch, long base, long length, String where) {
        this.ch = ch;
        this.base = base;
        this.length = length;
        this.where = where;
    }

    private TrainproofException bad(String what) {
        return TrainproofException.badInput(where, "zip: " + what);
    }

    private ByteBuffer read(long off, int n) throws IOException {
        if (off < 0 || n < 0 || off + n > length) throw bad("structure points outside the file (offset " + off + ")");
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        SafetensorsReader.readFully(ch, b, base + off, where);
        return b.flip();
    }

    static ZipIndex open(FileChannel ch, long base, long length, String where) throws IOException {
        ZipIndex z = new ZipIndex(ch, base, length, where);
        z.load();
        return z;
    }

    private void load() throws IOException {
        int tail = (int) Math.min(length, 22 + 65535);
        ByteBuffer t = read(length - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (t.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) throw bad("no end-of-central-directory record (truncated or not a zip)");
        long eocdAt = length - tail + eocd;
        long count = t.getShort(eocd + 10) & 0xffff;
        long cdSize = t.getInt(eocd + 12) & 0xffffffffL;
        long cdOff = t.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOff == 0xffffffffL) {
            if (eocdAt < 20) throw bad("ZIP64 locator missing");
            ByteBuffer loc = read(eocdAt - 20, 20);
            if (loc.getInt(0) != 0x07064b50) throw bad("ZIP64 locator missing");
            long z64 = loc.getLong(8);
            ByteBuffer r = read(z64, 56);
            if (r.getInt(0) != 0x06064b50) throw bad("bad ZIP64 end record");
            count = r.getLong(32);
            cdSize = r.getLong(40);
            cdOff = r.getLong(48);
        }
        if (count > MAX_ENTRIES) throw bad(count + " entries, above the limit " + MAX_ENTRIES);
        if (cdSize > (64 << 20)) throw bad("central directory of " + cdSize + " bytes, above 64 MiB");
        ByteBuffer cd = read(cdOff, (int) cdSize);
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cdSize || cd.getInt(p) != 0x02014b50) throw bad("central directory entry " + i + " is malformed");
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nlen = cd.getShort(p + 28) & 0xffff;
            int xlen = cd.getShort(p + 30) & 0xffff;
            int clen = cd.getShort(p + 32) & 0xffff;
            long lho = cd.getInt(p + 42) & 0xffffffffL;
            if (p + 46L + nlen + xlen + clen > cdSize) throw bad("central directory entry " + i + " overruns");
            byte[] nb = new byte[nlen];
            cd.get(p + 46, nb);
            String name = new String(nb, StandardCharsets.UTF_8);
            int x = p + 46 + nlen, xe = x + xlen;
            while (x + 4 <= xe) {
                int id = cd.getShort(x) & 0xffff, sz = cd.getShort(x + 2) & 0xffff;
                if (id == 0x0001) {
                    int q = x + 4;
                    if (usize == 0xffffffffL && q + 8 <= x + 4 + sz) { usize = cd.getLong(q); q += 8; }
                    if (csize == 0xffffffffL && q + 8 <= x + 4 + sz) { csize = cd.getLong(q); q += 8; }
                    if (lho == 0xffffffffL && q + 8 <= x + 4 + sz) { lho = cd.getLong(q); }
                }
                x += 4 + sz;
            }
            if (entries.put(name, new Entry(name, method, csize, usize, lho)) != null) throw bad("duplicate entry '" + name + "'");
            if (firstName == null) firstName = name;
            p += 46 + nlen + xlen + clen;
        }
    }

    /** Absolute file offset of the entry's data; checks it lies inside the window. */
    long dataOffset(Entry e) throws IOException {
        ByteBuffer h = read(e.localHeader(), 30);
        if (h.getInt(0) != 0x04034b50) throw bad("entry '" + e.name() + "' has no local header");
        long off = e.localHeader() + 30 + (h.getShort(26) & 0xffff) + (h.getShort(28) & 0xffff);
        if (off + e.compressedSize() > length || e.compressedSize() < 0) throw bad("entry '" + e.name() + "' extends beyond the file");
        return base + off;
    }

    /** The whole (small) entry, inflated if deflated; at most {@code max} bytes. */
    byte[] readSmall(Entry e, int max) throws IOException {
        if (e.size() > max) throw bad("entry '" + e.name() + "' is " + e.size() + " bytes, above the limit " + max);
        long off = dataOffset(e);
        if (e.method() == 0) {
            if (e.compressedSize() != e.size()) throw bad("stored entry '" + e.name() + "' with differing sizes");
            ByteBuffer b = ByteBuffer.allocate((int) e.size());
            SafetensorsReader.readFully(ch, b, off, where);
            return b.array();
        }
        if (e.method() != 8) throw bad("entry '" + e.name() + "' uses compression method " + e.method());
        if (e.compressedSize() > max) throw bad("entry '" + e.name() + "' too large");
        ByteBuffer c = ByteBuffer.allocate((int) e.compressedSize());
        SafetensorsReader.readFully(ch, c, off, where);
        java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
        try {
            inf.setInput(c.array());
            byte[] out = new byte[(int) e.size()];
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            if (n != out.length) throw bad("entry '" + e.name() + "' inflates to " + n + " bytes, not " + out.length);
            return out;
        } catch (java.util.zip.DataFormatException ex) {
            throw bad("entry '" + e.name() + "' is not valid deflate data");
        } finally {
            inf.end();
        }
    }
}
