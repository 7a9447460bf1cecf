package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads of one file that bypass the page cache (Linux {@code O_DIRECT}, the JDK's
 * {@code ExtendedOpenOption.DIRECT}): the disk writes into the reader's buffer, where a buffered read
 * has the kernel copy each byte out of the page cache (≈ 0.15 CPU-s per GB of the manifest's ≈ 0.95
 * on the 2-core EPYC host, docs/performance.md "Direct reads").
 *
 * <p>Direct reads need the file position, the length and the buffer address to be multiples of the
 * file system's block size: {@link #read} reads the aligned blocks around the wanted range into an
 * aligned buffer and returns a view of the wanted bytes. Anything that goes wrong in a direct read other
 * than the file ending early (a file system that accepts the open but not the read, a partial read
 * that leaves the position unaligned) returns null, and the caller reads the same range buffered:
 * the bytes are the same either way, only the copy differs.
 */
final class DirectReads implements AutoCloseable {
    /**
     * {@link ManifestOptions.Reads#AUTO} reads smaller files buffered: direct reads save at most
     * ≈ 0.15 CPU-s per GB (≈ 10 ms for 64 MiB), not worth checking the page cache for.
     */
    static final long AUTO_MIN_BYTES = 64L << 20;
    /** Windows of the file whose page-cache residency {@link #mostlyCached} samples, and their size. */
    static final int SAMPLES = 64;
    static final int SAMPLE_BYTES = 256 << 10;
    /** The largest block size (alignment) read direct. */
    static final long MAX_BLOCK = 64 << 10;

    private final FileChannel ch;
    private final int align;

    private DirectReads(FileChannel ch, int align) {
        this.ch = ch;
        this.align = align;
    }

    /**
     * Opens {@code path} for direct reads, or returns null with the reason in {@code why[0]} (no
     * {@code O_DIRECT} on this platform or file system, or the file's size is not {@code size}: it is
     * not the file the checkpoint reader opened).
     */
    static DirectReads open(Path path, long size, String[] why) {
        OpenOption direct;
        try {
            direct = com.sun.nio.file.ExtendedOpenOption.DIRECT;
        } catch (LinkageError e) {
            why[0] = "this JDK has no direct reads";
            return null;
        }
        FileChannel ch = null;
        try {
            // the alignment direct reads need (statvfs f_frsize, as the JDK checks it); a chunk reads up to two
            // blocks more than it needs, so a file system with blocks over 64 KiB (≥ 12 % more reads) is read buffered
            long block = Files.getFileStore(path).getBlockSize();
            if (block < 1 || block > MAX_BLOCK || Long.bitCount(block) != 1) {
                why[0] = "file system block size " + block;
                return null;
            }
            ch = FileChannel.open(path, StandardOpenOption.READ, direct);
            if (ch.size() != size) {
                why[0] = "the file changed size";
                ch.close();
                return null;
            }
            return new DirectReads(ch, (int) Math.max(block, 512));
        } catch (IOException | UnsupportedOperationException e) {
            why[0] = e.getMessage() != null ? e.getMessage() : e.toString();
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing a channel we only opened: nothing was read through it
                }
            }
            return null;
        }
    }

    /**
     * Whether {@link ManifestOptions.Reads#AUTO} may read this file direct ({@link #autoDirect} then decides
     * over all such files of a checkpoint): at least {@link #AUTO_MIN_BYTES}, read once ({@code hashedWhole}:
     * a torch zip, GGUF or DCP file is also hashed whole, so it is read twice, and through the page cache
     * the second read can come from memory, while direct reads would both go to the disk), and mostly not
     * in the page cache.
     */
    static boolean autoCandidate(FileChannel ch, long size, boolean hashedWhole) {
        return size >= AUTO_MIN_BYTES && !hashedWhole && !mostlyCached(ch, size);
    }

    /**
     * Whether {@link ManifestOptions.Reads#AUTO} reads direct the files of one checkpoint that are large,
     * read once and not in the page cache, {@code uncached} bytes in all, with {@code available} bytes of
     * memory available (−1: unknown): when they exceed half of it. Then they cannot all stay in the page
     * cache and would push out what is there (a training job's data, other checkpoints), so copying them
     * through it buys nothing. A smaller checkpoint is read through the page cache: it stays there for the
     * next command ({@code verify} then {@code compare}), and the kernel's read-ahead overlaps the disk
     * with the hashing, which the direct reads here do not (2026-12-07, 0.94 GB BF16 file evicted before
     * each run, 18 GB free, medians of 5 in three alternating pairs: buffered 0.65–0.69 s/GB wall and
     * 1.17–1.28 CPU-s/GB, direct 0.78–0.88 s/GB and 0.99–1.08 CPU-s/GB; docs/performance.md).
     */
    static boolean autoDirect(long uncached, long available) {
        if (uncached <= 0) return false;
        return available < 0 || uncached > available / 2;
    }

    /** Set by tests: the memory {@link #memoryAvailable} reports instead of the system's (−1: the system's). */
    static volatile long availableForTests = -1;

    /**
     * Memory available for new page-cache pages without swapping, in bytes: Linux's {@code MemAvailable}
     * ({@code /proc/meminfo}); −1 where it cannot be read.
     */
    static long memoryAvailable() {
        long t = availableForTests;
        if (t >= 0) return t;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    String[] f = line.substring("MemAvailable:".length()).trim().split("\\s+");
                    return Long.parseLong(f[0]) * (f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024 : 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The alignment the buffer of {@link #read} must have. */
    int align() {
        return align;
    }

    /**
     * A direct buffer for reads of up to {@code len} bytes, aligned for a block size of {@code align}: room
     * for the partial blocks before and after the range, and for the alignment itself.
     */
    static ByteBuffer buffer(int len, int align) {
        return ByteBuffer.allocateDirect(len + 3 * align).alignedSlice(align).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Bytes [{@code pos}, pos + len) of the file, as a little-endian view (position 0, limit len) into
     * {@code buf} (from {@link #buffer} with at least {@code len} and this file's alignment); null where
     * the direct read failed for a reason other than the file ending (the caller reads buffered).
     *
     * @throws IOException the file ended before pos + len (it changed while being read)
     */
    ByteBuffer read(long pos, int len, ByteBuffer buf, String where) throws IOException {
        long a0 = pos - Math.floorMod(pos, (long) align);
        long end = pos + len;
        long a1 = end + Math.floorMod(-end, (long) align);
        if (a1 - a0 > buf.capacity()) throw new IllegalArgumentException("direct read buffer too small");
        buf.clear().limit((int) (a1 - a0));
        long at = a0;
        try {
            while (at < end) {
                int r = ch.read(buf, at);
                if (r < 0) break;
                at += r;
                if (at < end && at % align != 0) {
                    if (at >= ch.size()) break; // the file ends mid-block, before the range does
                    return null; // a partial read left the position unaligned: the caller reads buffered
                }
            }
        } catch (IOException e) {
            return null;
        }
        if (at < end) {
            throw new SafetensorsFormatException(where, SafetensorsRule.UNREADABLE,
                    "file ended at byte " + at + " while reading (changed while reading?)");
        }
        return buf.slice((int) (pos - a0), len).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Whether at least half of {@link #SAMPLES} windows spread over {@code [0, size)} of the file are
     * wholly in the page cache ({@link MappedByteBuffer#isLoaded}, Linux {@code mincore}; the mapping
     * reads nothing). Where Linux reports page-cache residency only to the file's owner or a writer
     * (since 5.2), another user's cached file reads as not cached and gets direct reads, which are
     * correct, only not free of disk traffic. False where the file cannot be mapped.
     */
    static boolean mostlyCached(FileChannel ch, long size) {
        return cachedFraction(ch, size) >= 0.5;
    }

    /** The fraction of the sample windows of {@link #mostlyCached} wholly in the page cache; 0 where the file cannot be mapped. */
    static double cachedFraction(FileChannel ch, long size) {
        if (size <= 0) return 0;
        int n = (int) Math.max(1, Math.min(SAMPLES, size / SAMPLE_BYTES));
        int cached = 0;
        try {
            for (int w = 0; w < n; w++) {
                long pos = n == 1 ? 0 : (size - SAMPLE_BYTES) / (n - 1) * w;
                pos -= pos % 4096;
                long len = Math.min(SAMPLE_BYTES, size - pos);
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, pos, len);
                if (m.isLoaded()) cached++;
                unmap(m);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
        return (double) cached / n;
    }

    /**
     * Unmaps {@code m} now ({@code sun.misc.Unsafe.invokeCleaner}, looked up by reflection: module
     * {@code jdk.unsupported}), not at some later garbage collection: checking thousands of files would
     * otherwise pile up mappings towards Linux's per-process limit (65,530 by default). Where that is not
     * available the mapping goes with the buffer, as usual.
     */
    private static void unmap(MappedByteBuffer m) {
        if (INVOKE_CLEANER == null) return;
        try {
            INVOKE_CLEANER.invoke(m);
        } catch (Throwable e) {
            // not unmapped now: later, by the garbage collector
        }
    }

    /** {@code theUnsafe.invokeCleaner(ByteBuffer)} bound to the instance, or null. */
    private static final java.lang.invoke.MethodHandle INVOKE_CLEANER = invokeCleaner();

    private static java.lang.invoke.MethodHandle invokeCleaner() {
        try {
            Class<?> u = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = u.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return java.lang.invoke.MethodHandles.lookup()
                    .findVirtual(u, "invokeCleaner", java.lang.invoke.MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(f.get(null));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
