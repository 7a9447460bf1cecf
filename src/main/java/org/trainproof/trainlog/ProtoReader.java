package org.trainproof.trainlog;

/**
 * A bounds-checked protobuf wire-format reader over a byte array slice (no protobuf dependency).
 * Every length is checked against the enclosing message before use; varints longer than 10 bytes,
 * unknown wire types and lengths past the parent raise {@link Malformed}.
 */
final class ProtoReader {
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String m) {
            super(m, null, false, false);
        }
    }

    static final int VARINT = 0, FIXED64 = 1, LEN = 2, FIXED32 = 5;

    private final byte[] b;
    private int pos;
    private final int limit;
    private int lastTag;

    ProtoReader(byte[] b, int off, int len) {
        this.b = b;
        this.pos = off;
        this.limit = off + len;
    }

    boolean more() {
        return pos < limit;
    }

    /** Reads the next tag; returns the field number (the wire type is {@link #wireType()}). */
    int next() throws Malformed {
        long t = varint();
        if (t >>> 32 != 0 || (t >>> 3) == 0) throw new Malformed("bad tag " + t);
        lastTag = (int) t;
        return lastTag >>> 3;
    }

    int wireType() {
        return lastTag & 7;
    }

    long varint() throws Malformed {
        long r = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= limit) throw new Malformed("varint runs past the message end");
            int x = b[pos++] & 0xff;
            r |= (long) (x & 0x7f) << (7 * i);
            if ((x & 0x80) == 0) return r;
        }
        throw new Malformed("varint longer than 10 bytes");
    }

    int fixed32() throws Malformed {
        if (limit - pos < 4) throw new Malformed("fixed32 runs past the message end");
        int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16 | (b[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long fixed64() throws Malformed {
        long lo = fixed32() & 0xffffffffL;
        long hi = fixed32() & 0xffffffffL;
        return lo | hi << 32;
    }

    /** A reader over the next length-delimited field. */
    ProtoReader message() throws Malformed {
        long n = varint();
        if (n < 0 || n > limit - pos) throw new Malformed("length " + n + " runs past the enclosing message");
        ProtoReader r = new ProtoReader(b, pos, (int) n);
        pos += (int) n;
        return r;
    }

    String string() throws Malformed {
        ProtoReader r = message();
        return new String(r.b, r.pos, r.limit - r.pos, java.nio.charset.StandardCharsets.UTF_8);
    }

    byte[] bytes() throws Malformed {
        ProtoReader r = message();
        return java.util.Arrays.copyOfRange(r.b, r.pos, r.limit);
    }

    void skip() throws Malformed {
        switch (wireType()) {
            case VARINT -> varint();
            case FIXED64 -> {
                if (limit - pos < 8) throw new Malformed("fixed64 runs past the message end");
                pos += 8;
            }
            case LEN -> message();
            case FIXED32 -> {
                if (limit - pos < 4) throw new Malformed("fixed32 runs past the message end");
                pos += 4;
            }
            default -> throw new Malformed("unsupported wire type " + wireType());
        }
    }
}
