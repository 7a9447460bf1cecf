package org.trainproof.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/**
 * Measures manifest throughput against {@code openssl dgst -sha256} and {@code sha256sum} on the same
 * multi-GB BF16 safetensors file, in one run, each after a warm-up read (so all three see the same
 * page cache). Each tool runs {@code repeats} times; the median time is reported.
 */
public final class ManifestBenchmark {
    /** Bytes of one generated weight tensor: 4096 × 8192 BF16 = 64 MiB. */
    static final long TENSOR_BYTES = 4096L * 8192 * 2;

    private ManifestBenchmark() {}

    /**
     * Timings in seconds (NaN when the tool is missing); {@code manifestCpu} is the JVM's process CPU
     * time (all threads, user + system) during each manifest run, NaN where the JVM cannot tell;
     * {@code manifestJitCpu} the part of it spent by the JIT compiler threads (NaN without Linux's
     * {@code /proc/self/task/}).
     */
    public record Result(Path file, long bytes, int tensors, int threads, double[] manifest, double[] manifestCpu,
            double[] openssl, double[] opensslCpu, double[] sha256sum, double[] sha256sumCpu, String[] loads,
            String loadBefore, String loadAfter, String root,
            long ptBytes, double[] ptManifest, double[] ptOpenssl, boolean ptSameDigests, double[] jdkShaCpu,
            int warmups, double coldCpu, String kernel, double[] manifestJitCpu, String reads, Cold cold) {
        public double median(double[] t) {
            double[] s = t.clone();
            Arrays.sort(s);
            return s.length == 0 ? Double.NaN : s[s.length / 2];
        }
    }

    /**
     * Writes a BF16 safetensors file of about {@code bytes} bytes: 64 MiB weight tensors of
     * pseudo-random values of magnitude 2^-9..2^-5 (weight-like) plus one 4096-element norm gain per
     * layer (values near 1). Returns the tensor count.
     */
    public static int writeBf16(Path file, long bytes) throws IOException {
        return write(file, bytes, Dtype.BF16);
    }

    /**
     * As {@link #writeBf16} for BF16 or F32 (F32: 4096 × 4096 weight tensors of the same magnitudes, plus
     * a few exact zeros, one NaN and one +Inf per weight tensor so the non-finite paths are timed too).
     */
    public static int write(Path file, long bytes, Dtype dtype) throws IOException {
        if (dtype != Dtype.BF16 && dtype != Dtype.F32) throw new IllegalArgumentException("bench writes BF16 or F32: " + dtype);
        boolean f32 = dtype == Dtype.F32;
        int layers = (int) Math.max(1, bytes / TENSOR_BYTES);
        String dt = dtype.name();
        String wshape = f32 ? "[4096,4096]" : "[4096,8192]";
        int normBytes = f32 ? 16384 : 8192;
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\",\"generator\":\"trainproof bench\"}");
        long off = 0;
        for (int i = 0; i < layers; i++) {
            h.append(",\"layers.").append(i).append(".weight\":{\"dtype\":\"").append(dt).append("\",\"shape\":").append(wshape)
                    .append(",\"data_offsets\":[")
                    .append(off).append(',').append(off + TENSOR_BYTES).append("]}");
            off += TENSOR_BYTES;
        }
        for (int i = 0; i < layers; i++) {
            h.append(",\"layers.").append(i).append(".norm.weight\":{\"dtype\":\"").append(dt).append("\",\"shape\":[4096],\"data_offsets\":[")
                    .append(off).append(',').append(off + normBytes).append("]}");
            off += normBytes;
        }
        h.append('}');
        while ((8 + h.length()) % 8 != 0) h.append(' ');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        byte[] buf = new byte[4 << 20];
        long state = 0x5EED;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer pre = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            while (pre.hasRemaining()) ch.write(pre);
            ByteBuffer hb = ByteBuffer.wrap(header);
            while (hb.hasRemaining()) ch.write(hb);
            long remaining = layers * TENSOR_BYTES;
            while (remaining > 0) {
                int n = (int) Math.min(buf.length, remaining);
                for (int j = 0; j < n; j += 8) {
                    state += Seeds.GOLDEN_GAMMA;
                    long r = Seeds.mix64(state);
                    if (f32) {
                        for (int q = 0; q < 2; q++) {
                            long b = r >>> (32 * q);
                            // sign, exponent 118..121, 23 random mantissa bits
                            int v = (int) (b & 0x8000_0000L) | (int) ((118 + ((b >>> 23) & 3)) << 23) | (int) (b & 0x7F_FFFF);
                            for (int k = 0; k < 4; k++) buf[j + 4 * q + k] = (byte) (v >>> (8 * k));
                        }
                    } else {
                        for (int q = 0; q < 4; q++) {
                            int b = (int) (r >>> (16 * q)) & 0xFFFF;
                            int v = (b & 0x8000) | ((118 + ((b >>> 7) & 3)) << 7) | (b & 0x7F);
                            buf[j + 2 * q] = (byte) v;
                            buf[j + 2 * q + 1] = (byte) (v >>> 8);
                        }
                    }
                }
                if (f32 && remaining == layers * TENSOR_BYTES) {
                    // first buffer: exact zeros, a NaN and an +Inf (F32 little-endian)
                    for (int k = 0; k < 4; k++) buf[64 + k] = 0;
                    byte[] nan = {0, 0, (byte) 0xC0, 0x7F};
                    byte[] inf = {0, 0, (byte) 0x80, 0x7F};
                    System.arraycopy(nan, 0, buf, 128, 4);
                    System.arraycopy(inf, 0, buf, 256, 4);
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) ch.write(bb);
                remaining -= n;
            }
            byte[] norms = new byte[normBytes];
            int w = f32 ? 4 : 2;
            for (int j = 0; j < norms.length; j += w) {
                state += Seeds.GOLDEN_GAMMA;
                int v = 0x3F80 + (int) (Seeds.mix64(state) & 7); // 1.0 .. 1.05
                if (f32) v <<= 16;
                for (int k = 0; k < w; k++) norms[j + k] = (byte) (v >>> (8 * k));
            }
            for (int i = 0; i < layers; i++) {
                ByteBuffer nb = ByteBuffer.wrap(norms);
                while (nb.hasRemaining()) ch.write(nb);
            }
        }
        return 2 * layers;
    }

    /** Reads the whole file once so it is in the page cache. */
    static void warm(Path file) throws IOException {
        byte[] buf = new byte[4 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            while (in.read(buf) >= 0) {
                // discard
            }
        }
    }

    public static Result run(Path dir, long bytes, int repeats, ManifestOptions opt, PrintWriter progress) throws IOException {
        return run(dir, bytes, Dtype.BF16, repeats, 0, opt, progress);
    }

    /** The generated file's name for a dtype. */
    /** The .pt file holding the same tensors as {@link #fileName}. */
    public static String ptName(Dtype dtype) {
        return fileName(dtype).replace(".safetensors", ".pt");
    }

    public static String fileName(Dtype dtype) {
        return "bench-" + dtype.name().toLowerCase(java.util.Locale.ROOT) + ".safetensors";
    }

    /**
     * As above, after {@code warmups} uncounted manifest runs (the JIT compiles the kernels during the
     * first GBs a JVM hashes); the first run's CPU time is returned as {@link Result#coldCpu}.
     */
    public static Result run(Path dir, long bytes, Dtype dtype, int repeats, int warmups, ManifestOptions opt, PrintWriter progress)
            throws IOException {
        Path file = dir.resolve(fileName(dtype));
        int tensors;
        if (Files.isRegularFile(file) && Files.size(file) >= Math.max(1, bytes / TENSOR_BYTES) * TENSOR_BYTES
                && Files.size(file) < (Math.max(1, bytes / TENSOR_BYTES) + 1) * TENSOR_BYTES) {
            progress.printf("reusing %s%n", file);
            tensors = SafetensorsReader.readHeader(file, file.toString()).tensors().size();
        } else {
            progress.printf("writing %.2f GB %s safetensors file %s ...%n", bytes / 1e9, dtype, file);
            progress.flush();
            tensors = write(file, bytes, dtype);
        }
        long size = Files.size(file);
        String loadBefore = loadAverage();
        double[] man = new double[repeats];
        double[] cpu = new double[repeats];
        double[] ossl = new double[repeats];
        double[] osslCpu = new double[repeats];
        double[] sum = new double[repeats];
        double[] sumCpu = new double[repeats];
        String[] loads = new String[repeats];
        double[] jdkSha = new double[repeats];
        double[] jit = new double[repeats];
        String root = null;
        double coldCpu = Double.NaN;
        for (int w = 0; w < warmups; w++) {
            warm(file);
            long c0 = processCpuNanos();
            Manifests.of(file, opt);
            long c1 = processCpuNanos();
            double c = c0 < 0 || c1 < 0 ? Double.NaN : (c1 - c0) / 1e9;
            if (w == 0) coldCpu = c;
            progress.printf(java.util.Locale.ROOT, "warm-up %d (not counted): manifest %.3f CPU-s%n", w + 1, c);
            progress.flush();
        }
        // the loops the timed runs will use (after the warm-ups, which count towards the vector kernel's threshold)
        String kernel = Manifests.kernelForRuns(size - SafetensorsReader.readHeader(file, file.toString()).dataStart(), repeats);
        long[] read0 = Manifests.readBytes();
        for (int r = 0; r < repeats; r++) {
            warm(file);
            jdkSha[r] = jdkSha256Cpu(file, opt.chunkBytes());
            warm(file);
            double[] t = timeTool(List.of("openssl", "dgst", "-sha256", file.toString()));
            ossl[r] = t[0];
            osslCpu[r] = t[1];
            warm(file);
            t = timeTool(List.of("sha256sum", file.toString()));
            sum[r] = t[0];
            sumCpu[r] = t[1];
            warm(file);
            long j0 = compilerCpuNanos();
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            CheckpointManifest m = Manifests.of(file, opt);
            man[r] = (System.nanoTime() - t0) / 1e9;
            long c1 = processCpuNanos();
            long j1 = compilerCpuNanos();
            cpu[r] = c0 < 0 || c1 < 0 ? Double.NaN : (c1 - c0) / 1e9;
            jit[r] = j0 < 0 || j1 < 0 ? Double.NaN : Math.max(0, j1 - j0) / 1e9;
            if (root != null && !root.equals(m.root())) {
                throw new TrainproofException(ExitCode.INTERNAL, "manifest root differs between runs");
            }
            root = m.root();
            loads[r] = loadAverage();
            progress.printf(java.util.Locale.ROOT,
                    "run %d: manifest %.3f s (%.3f CPU-s, of which JIT compiler threads %.3f), openssl %.3f s (%.3f CPU-s),"
                    + " sha256sum %.3f s (%.3f CPU-s), JDK SHA-256 alone %.3f CPU-s; load %s%n",
                    r + 1, man[r], cpu[r], jit[r], ossl[r], osslCpu[r], sum[r], sumCpu[r], jdkSha[r], loads[r]);
            progress.flush();
        }
        long[] read1 = Manifests.readBytes();
        String reads = readsSummary(opt.reads(), read1[0] - read0[0], read1[1] - read0[1]);
        Cold cold = cold(file, repeats, opt, progress);
        // the same weights as a torch.save .pt: manifest through the torch reader vs openssl on that file
        Path pt = dir.resolve(ptName(dtype));
        progress.printf("writing the same tensors as a torch.save zip %s ...%n", pt);
        progress.flush();
        writePt(file, pt);
        double[] ptMan = new double[repeats];
        double[] ptOssl = new double[repeats];
        boolean same = true;
        CheckpointManifest stm = Manifests.of(file, opt);
        for (int r = 0; r < repeats; r++) {
            warm(pt);
            ptOssl[r] = timeTool(List.of("openssl", "dgst", "-sha256", pt.toString()))[0];
            warm(pt);
            long t0 = System.nanoTime();
            CheckpointManifest m = Manifests.of(pt, opt);
            ptMan[r] = (System.nanoTime() - t0) / 1e9;
            for (TensorManifest t : stm.tensors()) {
                same &= m.tensor(t.name()).map(x -> x.sha256().equals(t.sha256())).orElse(false);
            }
            progress.printf(java.util.Locale.ROOT, ".pt run %d: manifest %.3f s, openssl %.3f s%n", r + 1, ptMan[r], ptOssl[r]);
            progress.flush();
        }
        return new Result(file, size, tensors, opt.threads(), man, cpu, ossl, osslCpu, sum, sumCpu, loads, loadBefore,
                loadAverage(), root, Files.size(pt), ptMan, ptOssl, same, jdkSha, warmups,
                warmups > 0 ? coldCpu : cpu[0], kernel, jit, reads, cold);
    }

    /**
     * The manifest, read buffered and read direct, and openssl on the file read from the disk, not the
     * page cache (each run after {@link #evict}): what a checkpoint larger than memory, or not read since
     * it was written, costs. {@code directShare} says what share of the direct runs' bytes were read
     * direct (a file system may refuse), {@code auto} which way {@code --reads auto} reads this file on
     * this machine, {@code stillCached} how many of the runs found the file still mostly in the page
     * cache after {@link #evict} (0 when every eviction worked); {@code skipped} says why there are no
     * runs (then the arrays are empty).
     */
    public record Cold(double[] buffered, double[] bufferedCpu, double[] direct, double[] directCpu, double[] openssl, double[] opensslCpu,
            String directShare, String auto, int stillCached, String skipped) {}

    static Cold cold(Path file, int repeats, ManifestOptions opt, PrintWriter progress) throws IOException {
        String why = evict(file);
        double[] none = new double[0];
        if (why != null) return new Cold(none, none, none, none, none, none, "", "", 0, why);
        double[][] t = new double[6][repeats];
        long directBytes = 0, allBytes = 0;
        int stillCached = 0;
        for (int r = 0; r < repeats; r++) {
            for (int m = 0; m < 2; m++) {
                if (evict(file) != null) stillCached++;
                long[] b0 = Manifests.readBytes();
                long c0 = processCpuNanos();
                long t0 = System.nanoTime();
                Manifests.of(file, opt.withReads(m == 0 ? ManifestOptions.Reads.BUFFERED : ManifestOptions.Reads.DIRECT));
                t[2 * m][r] = (System.nanoTime() - t0) / 1e9;
                long c1 = processCpuNanos();
                t[2 * m + 1][r] = c0 < 0 || c1 < 0 ? Double.NaN : (c1 - c0) / 1e9;
                long[] b1 = Manifests.readBytes();
                if (m == 1) {
                    directBytes += b1[0] - b0[0];
                    allBytes += b1[0] - b0[0] + b1[1] - b0[1];
                }
            }
            if (evict(file) != null) stillCached++;
            double[] o = timeTool(List.of("openssl", "dgst", "-sha256", file.toString()));
            t[4][r] = o[0];
            t[5][r] = o[1];
            progress.printf(java.util.Locale.ROOT, "from the disk, run %d (file evicted from the page cache before each): manifest buffered %.3f s"
                    + " (%.3f CPU-s), direct %.3f s (%.3f CPU-s); openssl %.3f s (%.3f CPU-s); load %s%n",
                    r + 1, t[0][r], t[1][r], t[2][r], t[3][r], t[4][r], t[5][r], loadAverage());
            progress.flush();
        }
        long avail = DirectReads.memoryAvailable();
        long size = Files.size(file);
        boolean candidate;
        evict(file); // as each run found it
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            candidate = DirectReads.autoCandidate(ch, size, false);
        }
        String auto = candidate && DirectReads.autoDirect(size, avail) ? "direct" : "buffered";
        auto += avail < 0 ? " (memory available unknown)"
                : String.format(java.util.Locale.ROOT, " (%.2f GB against %.2f GB of memory available: direct above half of it)",
                        size / 1e9, avail / 1e9);
        return new Cold(t[0], t[1], t[2], t[3], t[4], t[5],
                String.format(java.util.Locale.ROOT, "%.1f %% of the direct runs' bytes read direct", 100.0 * directBytes / Math.max(1, allBytes)), auto,
                stillCached, null);
    }

    /**
     * Drops {@code file}'s pages from the page cache ({@code sync FILE}, then GNU {@code dd iflag=nocache
     * count=0}, i.e. {@code posix_fadvise(DONTNEED)}); returns null when that worked (at most a quarter of
     * {@link DirectReads#mostlyCached}'s sample windows still cached), else why not.
     */
    static String evict(Path file) throws IOException {
        double sync = timeProcess(List.of("sync", file.toString()));
        double dd = timeProcess(List.of("dd", "if=" + file, "iflag=nocache", "count=0", "status=none"));
        if (Double.isNaN(sync) || Double.isNaN(dd)) return "'sync FILE' or 'dd iflag=nocache' failed or is missing (GNU coreutils needed)";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (DirectReads.cachedFraction(ch, ch.size()) > 0.25) return "the file stayed in the page cache after posix_fadvise(DONTNEED)";
        }
        return null;
    }

    /** How the timed manifests read the file: "--reads direct: 100.0 % direct (O_DIRECT), 0.0 % through the page cache". */
    static String readsSummary(ManifestOptions.Reads mode, long direct, long buffered) {
        long all = Math.max(1, direct + buffered);
        return String.format(java.util.Locale.ROOT, "--reads %s: %.1f %% of the bytes direct (O_DIRECT, no copy out of the page cache),"
                + " %.1f %% through the page cache", mode.name().toLowerCase(java.util.Locale.ROOT), 100.0 * direct / all, 100.0 * buffered / all);
    }

    /**
     * Thread CPU seconds of the JDK's SHA-256 ({@code MessageDigest}, the digest the manifest uses) over
     * the whole file, one thread, positioned reads into one direct buffer of {@code chunk} bytes as the
     * manifest reads: the floor of any manifest built on {@code MessageDigest}.
     */
    static double jdkSha256Cpu(Path file, int chunk) throws IOException {
        java.lang.management.ThreadMXBean tb = java.lang.management.ManagementFactory.getThreadMXBean();
        java.security.MessageDigest md = org.trainproof.bytes.Digest.newSha256();
        ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
        long t0 = tb.getCurrentThreadCpuTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            for (long pos = 0; pos < size; ) {
                buf.clear().limit((int) Math.min(chunk, size - pos));
                SafetensorsReader.readFully(ch, buf, pos, file.toString());
                pos += buf.position();
                md.update(buf.flip());
            }
        }
        md.digest();
        return (tb.getCurrentThreadCpuTime() - t0) / 1e9;
    }

    /**
     * Writes the tensors of the safetensors bench file {@code st} as a torch.save zip (stored entries,
     * pickle protocol 2 with {@code _rebuild_tensor_v2} and the dtype's storage class, as torch writes it), so the
     * {@code .pt} row hashes the same weights through the torch reader.
     */
    static void writePt(Path st, Path pt) throws IOException {
        SafetensorsHeader h = SafetensorsReader.readHeader(st, st.toString());
        java.io.ByteArrayOutputStream pk = new java.io.ByteArrayOutputStream();
        pk.write(new byte[] {(byte) 0x80, 2, '}', '('});
        int key = 0;
        for (TensorEntry e : h.tensors()) {
            unicode(pk, e.name());
            pk.write(("ctorch._utils\n_rebuild_tensor_v2\n").getBytes(StandardCharsets.US_ASCII));
            pk.write(new byte[] {'(', '('});
            unicode(pk, "storage");
            pk.write(("ctorch\n" + storageOf(e.dtype()) + "\n").getBytes(StandardCharsets.US_ASCII));
            unicode(pk, Integer.toString(key++));
            unicode(pk, "cpu");
            binint(pk, e.count());
            pk.write(new byte[] {'t', 'Q'});
            binint(pk, 0);
            pk.write('(');
            for (long d : e.shape()) binint(pk, d);
            pk.write('t');
            pk.write('(');
            long stride = 1;
            long[] strides = new long[e.shape().size()];
            for (int i = strides.length - 1; i >= 0; i--) {
                strides[i] = stride;
                stride *= e.shape().get(i);
            }
            for (long s : strides) binint(pk, s);
            pk.write(new byte[] {'t', (byte) 0x89});
            pk.write(("ccollections\nOrderedDict\n").getBytes(StandardCharsets.US_ASCII));
            pk.write(new byte[] {')', 'R', 't', 'R'});
        }
        pk.write(new byte[] {'u', '.'});
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(
                new java.io.BufferedOutputStream(Files.newOutputStream(pt), 1 << 20));
                FileChannel ch = FileChannel.open(st, StandardOpenOption.READ)) {
            stored(z, "bench/data.pkl", pk.toByteArray());
            stored(z, "bench/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            key = 0;
            ByteBuffer buf = ByteBuffer.allocate(4 << 20);
            for (TensorEntry e : h.tensors()) {
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                for (long off = 0; off < e.byteLength(); off += buf.capacity()) {
                    buf.clear().limit((int) Math.min(buf.capacity(), e.byteLength() - off));
                    SafetensorsReader.readFully(ch, buf, h.dataStart() + e.begin() + off, st.toString());
                    crc.update(buf.flip());
                }
                java.util.zip.ZipEntry ze = new java.util.zip.ZipEntry("bench/data/" + key++);
                ze.setMethod(java.util.zip.ZipEntry.STORED);
                ze.setSize(e.byteLength());
                ze.setCompressedSize(e.byteLength());
                ze.setCrc(crc.getValue());
                z.putNextEntry(ze);
                for (long off = 0; off < e.byteLength(); off += buf.capacity()) {
                    buf.clear().limit((int) Math.min(buf.capacity(), e.byteLength() - off));
                    SafetensorsReader.readFully(ch, buf, h.dataStart() + e.begin() + off, st.toString());
                    z.write(buf.array(), 0, buf.position());
                }
                z.closeEntry();
            }
            stored(z, "bench/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void stored(java.util.zip.ZipOutputStream z, String name, byte[] data) throws IOException {
        java.util.zip.ZipEntry ze = new java.util.zip.ZipEntry(name);
        ze.setMethod(java.util.zip.ZipEntry.STORED);
        ze.setSize(data.length);
        ze.setCompressedSize(data.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        ze.setCrc(crc.getValue());
        z.putNextEntry(ze);
        z.write(data);
        z.closeEntry();
    }

    private static void unicode(java.io.ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.write('X');
        o.write(b.length & 0xff);
        o.write((b.length >>> 8) & 0xff);
        o.write((b.length >>> 16) & 0xff);
        o.write((b.length >>> 24) & 0xff);
        o.write(b, 0, b.length);
    }

    private static void binint(java.io.ByteArrayOutputStream o, long v) {
        if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException("bench tensor dimension beyond 2^31");
        o.write('J');
        for (int i = 0; i < 4; i++) o.write((int) (v >>> (8 * i)) & 0xff);
    }

    private static String storageOf(Dtype d) {
        return switch (d) {
            case BF16 -> "BFloat16Storage";
            case F32 -> "FloatStorage";
            default -> throw new IllegalArgumentException("bench .pt row: no storage class for " + d);
        };
    }

    /** CPU time of this JVM process in ns, or −1 when the platform does not report it. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime();
        return -1;
    }

    /**
     * CPU time in ns of this JVM's JIT compiler threads (C1 and C2; Linux: {@code /proc/self/task/TID/comm}
     * and the first field of {@code schedstat}, time on a CPU), or −1 where that cannot be read. A compiler
     * thread that exits between two readings takes its time with it (HotSpot stops idle ones), so a
     * difference of two readings can only undercount the compiler's share.
     */
    static long compilerCpuNanos() {
        Path tasks = Path.of("/proc/self/task");
        long sum = 0;
        try (java.util.stream.Stream<Path> ts = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) ts::iterator) {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim();
                    if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) continue;
                    String sched = Files.readString(t.resolve("schedstat")).trim();
                    sum += Long.parseLong(sched.substring(0, sched.indexOf(' ')));
                } catch (IOException | RuntimeException gone) {
                    // the thread exited while we listed it
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return sum;
    }

    /**
     * {wall seconds, CPU seconds (user + system, from {@code /usr/bin/time}, i.e. the child's
     * getrusage)}; NaN where the tool or {@code /usr/bin/time} is missing or fails.
     */
    private static double[] timeTool(List<String> cmd) throws IOException {
        boolean timed = Files.isExecutable(Path.of("/usr/bin/time"));
        Path cpuFile = timed ? Files.createTempFile("trainproof-bench", ".time") : null;
        List<String> full = new ArrayList<>();
        if (timed) full.addAll(List.of("/usr/bin/time", "-f", "%U %S", "-o", cpuFile.toString()));
        full.addAll(cmd);
        try {
            double wall = timeProcess(full);
            double cpu = Double.NaN;
            if (timed && !Double.isNaN(wall)) {
                String[] us = Files.readString(cpuFile).trim().split("\\s+");
                try {
                    cpu = Double.parseDouble(us[us.length - 2]) + Double.parseDouble(us[us.length - 1]);
                } catch (RuntimeException e) {
                    cpu = Double.NaN;
                }
            }
            return new double[] {wall, cpu};
        } finally {
            if (cpuFile != null) Files.deleteIfExists(cpuFile);
        }
    }

    private static double timeProcess(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return Double.NaN; // tool not installed
        }
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return Double.NaN;
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
        double t = (System.nanoTime() - t0) / 1e9;
        return p.exitValue() == 0 ? t : Double.NaN;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

}
