package org.trainproof.trainlog;

import java.util.zip.CRC32C;

/**
 * TFRecord framing (formats.md §5.2): {@code u64 length | u32 masked_crc32c(length bytes) |
 * data[length] | u32 masked_crc32c(data)}, all little-endian.
 */
final class TfRecords {
    private TfRecords() {}

    /** {@code masked(c) = ((c >>> 15) | (c << 17)) + 0xA282EAD8 mod 2^32}. */
    static int maskedCrc32c(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xA282EAD8;
    }

    static long u64(byte[] b, int off) {
        long r = 0;
        for (int i = 7; i >= 0; i--) r = (r << 8) | (b[off + i] & 0xff);
        return r;
    }

    static int u32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** True when {@code head} starts with a TFRecord header whose length CRC matches. */
    static boolean looksLikeTfRecord(byte[] head) {
        return head.length >= 12 && u32(head, 8) == maskedCrc32c(head, 0, 8);
    }
}
