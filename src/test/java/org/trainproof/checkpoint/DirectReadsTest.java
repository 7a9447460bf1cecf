package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct reads ({@code O_DIRECT}) give the bytes buffered reads give: the same byte ranges, the same
 * manifests in every container, the same errors; a file system or read that refuses them falls back
 * to buffered reads; {@code auto} reads a file direct only when it is not in the page cache.
 */
class DirectReadsTest {
    @TempDir
    Path dir;

    /** A direct reader of {@code p}, or the test is skipped with the reason (this file system has no O_DIRECT). */
    private static DirectReads directOrSkip(Path p) throws IOException {
        String[] why = new String[1];
        DirectReads d = DirectReads.open(p, Files.size(p), why);
        if (d == null) System.out.println("DirectReadsTest: skipped, no direct reads for " + p + ": " + why[0]);
        Assumptions.assumeTrue(d != null, () -> "no direct reads here: " + why[0]);
        return d;
    }

    private Path randomFile(int bytes, long seed) throws IOException {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        Path p = dir.resolve("r" + seed + ".bin");
        Files.write(p, b);
        return p;
    }

    @Test
    void unalignedRangesReadTheSameBytesAsBufferedReads() throws IOException {
        int size = 3 * (1 << 20) + 1234; // not a multiple of any block size
        Path p = randomFile(size, 1);
        byte[] all = Files.readAllBytes(p);
        int chunk = ManifestOptions.DEFAULT_CHUNK_BYTES;
        Random rnd = new Random(2);
        try (DirectReads d = directOrSkip(p)) {
            ByteBuffer buf = DirectReads.buffer(chunk, d.align());
            List<long[]> ranges = new ArrayList<>(List.of(new long[] {0, chunk}, new long[] {size - 1, 1}, new long[] {size - chunk, chunk},
                    new long[] {4095, 2}, new long[] {4096, 4096}, new long[] {1, chunk}));
            for (int i = 0; i < 200; i++) {
                int len = 1 + rnd.nextInt(chunk);
                ranges.add(new long[] {rnd.nextInt(size - len + 1), len});
            }
            for (long[] r : ranges) {
                ByteBuffer v = d.read(r[0], (int) r[1], buf, p.toString());
                assertNotNull(v, "direct read of " + r[0] + "+" + r[1]);
                assertEquals(0, v.position());
                assertEquals(r[1], v.remaining());
                byte[] got = new byte[(int) r[1]];
                v.get(got);
                byte[] want = java.util.Arrays.copyOfRange(all, (int) r[0], (int) (r[0] + r[1]));
                assertTrue(java.util.Arrays.equals(want, got), "bytes of " + r[0] + "+" + r[1]);
            }
        }
    }

    @Test
    void aRangePastTheEndIsTheBufferedReadsError_andAFailedReadReturnsNull() throws IOException {
        Path p = randomFile(100_000, 3);
        DirectReads d = directOrSkip(p);
        ByteBuffer buf = DirectReads.buffer(1 << 20, d.align());
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> d.read(99_000, 2_000, buf, "f.bin tensor 'w'"));
        assertTrue(e.getMessage().contains("f.bin tensor 'w'") && e.getMessage().contains("file ended at byte 100000"), e.getMessage());
        d.close();
        // a read that fails for another reason (here: the channel is closed) asks the caller to read buffered
        assertNull(d.read(0, 10, buf, "f.bin"));
    }

    /** Manifests built with direct and with buffered reads, and the bytes read each way. */
    private static void assertSameManifest(Path p, ManifestOptions opt, boolean expectDirect) {
        CheckpointManifest buffered;
        try {
            buffered = Manifests.of(p, opt.withReads(ManifestOptions.Reads.BUFFERED));
        } catch (RuntimeException e) {
            // a file the readers refuse must be refused the same way with direct reads
            RuntimeException d = assertThrows(RuntimeException.class, () -> Manifests.of(p, opt.withReads(ManifestOptions.Reads.DIRECT)));
            assertEquals(e.getClass(), d.getClass(), p.toString());
            assertEquals(e.getMessage(), d.getMessage(), p.toString());
            return;
        }
        long[] r0 = Manifests.readBytes();
        CheckpointManifest direct = Manifests.of(p, opt.withReads(ManifestOptions.Reads.DIRECT));
        long[] r1 = Manifests.readBytes();
        assertEquals(buffered, direct, p.toString());
        if (expectDirect) assertTrue(r1[0] > r0[0], p + ": nothing was read direct");
    }

    @Test
    void directAndBufferedManifestsAreIdentical_generatedMixedDtypes() throws IOException {
        Path p = dir.resolve("mixed.safetensors");
        Random rnd = new Random(4);
        SafetensorsWriter w = new SafetensorsWriter().metadata("pad", "x".repeat(37)); // header length not block-aligned
        for (Dtype dt : new Dtype[] {Dtype.BF16, Dtype.F32, Dtype.F64}) { // F64: the decode path from a heap copy
            int n = 300_001;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = rnd.nextGaussian();
            w.tensor("t." + dt.name(), dt, new long[] {n}, v);
        }
        w.tensor("small", Dtype.F32, new long[] {3}, new double[] {1, 2, 3});
        w.write(p);
        directOrSkip(p).close();
        // the default chunk, and a small one (48 bytes: most chunks start and end mid-block)
        assertSameManifest(p, ManifestOptions.defaults(), true);
        assertSameManifest(p, ManifestOptions.defaults().withChunkBytes(48 * 1001).withThreads(1), true);
        // whole-file SHA-256 too (read direct on its own thread)
        assertSameManifest(p, ManifestOptions.defaults().withFileSha256(true), true);
    }

    @Test
    void directAndBufferedManifestsAreIdentical_realContainers() throws IOException {
        Path formats = RealCheckpointFormatsTest.FORMATS;
        Assumptions.assumeTrue(Files.isDirectory(formats), "../shared/realdata/formats absent");
        List<Path> files = new ArrayList<>();
        for (String sub : new String[] {"pytorch", "pytorch_legacy", "safetensors", "gguf", "lightning_ckpt"}) {
            Path d = formats.resolve(sub);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        }
        Assumptions.assumeTrue(!files.isEmpty(), "no real checkpoint files");
        directOrSkip(files.get(0)).close();
        for (Path p : files) assertSameManifest(p, ManifestOptions.defaults(), false);
        // a real PyTorch zip is hashed whole (Merkle leaf 0) and by tensor: both reads went direct
        assertSameManifest(formats.resolve("pytorch").resolve("burn_state_dict.pt"), ManifestOptions.defaults(), true);
    }

    @Test
    void autoReadsAnEvictedFileDirectOnlyWhenMemoryIsShort_andACachedFileBuffered() throws IOException {
        Path p = dir.resolve("cold.safetensors");
        int n = (int) (DirectReads.AUTO_MIN_BYTES / 2) + 4096; // BF16: just over the auto threshold
        double[] v = new double[n];
        Random rnd = new Random(5);
        for (int i = 0; i < n; i++) v[i] = rnd.nextGaussian();
        new SafetensorsWriter().tensor("w", Dtype.BF16, new long[] {n}, v).write(p);
        v = null;
        directOrSkip(p).close();
        String why = ManifestBenchmark.evict(p);
        if (why != null) System.out.println("DirectReadsTest: skipped, cannot evict " + p + " from the page cache: " + why);
        Assumptions.assumeTrue(why == null, () -> "cannot evict the file from the page cache: " + why);
        long[] direct = new long[1];
        // with plenty of memory available, an evicted file of 64 MiB is read through the page cache ...
        CheckpointManifest cold = autoManifest(p, 4L << 30, direct);
        assertEquals(0, direct[0], "a file well under half the memory available is read buffered");
        assertTrue(ManifestBenchmark.evict(p) == null, "evicted again");
        // ... and with under twice its size available, straight from the disk
        assertEquals(cold, autoManifest(p, 2L * Files.size(p) - 1, direct));
        assertTrue(direct[0] >= 2L * n, "an evicted file over half the memory available is read direct: " + direct[0] + " direct bytes");
        // direct reads do not fill the page cache; read it buffered once, then auto reads it buffered
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            assertTrue(!DirectReads.mostlyCached(ch, ch.size()), "direct reads left the file out of the page cache");
        }
        CheckpointManifest viaCache = Manifests.of(p, ManifestOptions.defaults().withReads(ManifestOptions.Reads.BUFFERED));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            assertTrue(DirectReads.mostlyCached(ch, ch.size()), "a file just read buffered is in the page cache");
        }
        CheckpointManifest warm = autoManifest(p, 2L * Files.size(p) - 1, direct);
        assertEquals(0, direct[0], "a cached file is read buffered");
        assertEquals(cold, viaCache);
        assertEquals(cold, warm);
    }

    /** The {@code --reads auto} manifest of {@code p} as if {@code available} bytes of memory were available; {@code direct[0]}: bytes read direct. */
    private static CheckpointManifest autoManifest(Path p, long available, long[] direct) {
        DirectReads.availableForTests = available;
        try {
            long before = Manifests.readBytes()[0];
            CheckpointManifest m = Manifests.of(p, ManifestOptions.defaults());
            direct[0] = Manifests.readBytes()[0] - before;
            return m;
        } finally {
            DirectReads.availableForTests = -1;
        }
    }

    @Test
    void autoRule_directWhenTheUncachedFilesExceedHalfTheMemoryAvailable() {
        assertTrue(!DirectReads.autoDirect(0, 1L << 30), "nothing uncached");
        assertTrue(!DirectReads.autoDirect(1L << 29, 1L << 30), "exactly half");
        assertTrue(DirectReads.autoDirect((1L << 29) + 1, 1L << 30));
        assertTrue(DirectReads.autoDirect(1, -1), "memory unknown: direct");
        long real = DirectReads.memoryAvailable();
        assertTrue(real > 0 || !Files.isReadable(Path.of("/proc/meminfo")), "MemAvailable read on Linux: " + real);
    }

    @Test
    void smallFilesAreReadBufferedUnderAuto() throws IOException {
        Path p = dir.resolve("small.safetensors");
        new SafetensorsWriter().tensor("w", Dtype.F32, new long[] {1000}, new double[1000]).write(p);
        long[] r0 = Manifests.readBytes();
        Manifests.of(p, ManifestOptions.defaults());
        long[] r1 = Manifests.readBytes();
        assertEquals(0, r1[0] - r0[0]);
        assertTrue(r1[1] - r0[1] >= 4000);
    }
}
