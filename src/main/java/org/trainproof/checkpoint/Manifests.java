package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;

/**
 * Builds the {@link CheckpointManifest} of a checkpoint (safetensors file, sharded directory or index,
 * PyTorch, DCP, GGUF) in one pass over each tensor's bytes.
 *
 * <p>How: tensors are handed to {@code threads} workers, largest first; a worker streams its tensor in
 * chunks of {@link ManifestOptions#chunkBytes()} bytes (about 1 MiB, so a chunk stays in the core's L2
 * cache): a positioned read into the worker's direct buffer, then statistics, coordinate sample, exact
 * values and sketch of the chunk (BF16 and F32 in one fused pass, {@link FloatChunks}; other dtypes
 * decoded block by block from a heap copy), then the tensor's SHA-256 over the same, still cached,
 * bytes. Per-chunk statistics and sketches are merged in chunk order, so the result is deterministic
 * for a given chunk size, whatever the number of threads. Memory is one chunk buffer per worker,
 * independent of file size. (Until 2026-12 chunks of one tensor ran on several workers and were
 * parked until their turn to be hashed; hashing them from another core's cache cost ≈ 0.2 CPU-s/GB
 * more than streaming, docs/performance.md.)
 */
public final class Manifests {
    private Manifests() {}

    /** Bytes the manifests of this JVM read direct and buffered ({@link #readBytes}), for {@code bench}'s report. */
    private static final LongAdder DIRECT_BYTES = new LongAdder();
    private static final LongAdder BUFFERED_BYTES = new LongAdder();

    /** {direct, buffered}: the bytes this JVM's manifests have read each way so far (tensor chunks and whole-file hashes). */
    public static long[] readBytes() {
        return new long[] {DIRECT_BYTES.sum(), BUFFERED_BYTES.sum()};
    }

    /** Which BF16/F32 kernel this JVM runs: "vector (jdk.incubator.vector, 512-bit)" or "scalar (...why)". */
    public static String kernel() {
        return FloatChunks.describeKernel();
    }

    /**
     * The loops the next {@code runs} manifests of {@code floatBytes} BF16/F32 bytes each will run in this
     * JVM, for {@code bench}'s report: the scalar ones until this JVM's manifests reach
     * {@link FloatChunks#VECTOR_MIN_BYTES} in all ({@link FloatChunks#vectorFor}), then {@link #kernel()}.
     */
    public static String kernelForRuns(long floatBytes, int runs) {
        long seen = FloatChunks.floatBytesSeen();
        int scalar = 0;
        while (scalar < runs && seen + floatBytes < FloatChunks.VECTOR_MIN_BYTES) {
            seen += floatBytes;
            scalar++;
        }
        String small = "scalar (under " + (FloatChunks.VECTOR_MIN_BYTES >> 20)
                + " MiB of BF16/F32 in this JVM: they finish before the vector kernel is set up)";
        if (scalar == runs) return small;
        if (scalar == 0) return kernel();
        return small + " for the first " + scalar + " of " + runs + " timed runs, then " + kernel();
    }

    public static CheckpointManifest of(Path path) {
        return of(path, ManifestOptions.defaults());
    }

    public static CheckpointManifest of(Path path, ManifestOptions opt) {
        return of(path, opt, null);
    }

    /**
     * As {@link #of(Path, ManifestOptions)}, calling {@code progress} (from worker threads, so it must be
     * thread-safe) with the number of tensor bytes each finished chunk covered; null for none.
     */
    public static CheckpointManifest of(Path path, ManifestOptions opt, java.util.function.LongConsumer progress) {
        try (CheckpointSource src = CheckpointReaders.open(path)) {
            return of(src, opt, progress);
        }
    }

    /** The manifest of an already open checkpoint of any container (the caller closes it). */
    public static CheckpointManifest of(CheckpointSource src, ManifestOptions opt, java.util.function.LongConsumer progress) {
        return new Run(src, opt, progress).run();
    }

    /** Work state of one tensor. Guarded by its own monitor where noted. */
    private static final class Job {
        final int fileIndex;
        final int tensorIndex;
        final SourceTensor entry;
        final String where;
        final int chunks;
        final boolean decode;
        final long[] positions;
        final double[] sampleValues;
        final double[] values; // exact values of a small rank-0/1 tensor, else null
        final TensorSlice slice; // the part of a larger tensor these bytes are, else null
        /** Global flat index of element 0: sketch positions are global so slices' sketches add up. */
        final long sketchBase;
        final MessageDigest md = Digest.newSha256();
        StatsAccumulator stats;
        TensorSketch.Builder sketch;

        Job(int fileIndex, int tensorIndex, SourceTensor e, String where, ManifestOptions opt) {
            TensorSlice slice = e.slice();
            this.slice = slice;
            this.fileIndex = fileIndex;
            this.tensorIndex = tensorIndex;
            this.entry = e;
            this.where = where;
            this.chunks = (int) ((e.byteLength() + opt.chunkBytes() - 1) / opt.chunkBytes());
            this.decode = e.decodes();
            long base = slice == null ? 0 : slice.contiguousBase(e.shape());
            this.sketchBase = Math.max(0, base);
            if (decode) {
                if (slice == null) {
                    positions = CoordinateSample.positions(e.name(), e.count(), opt.sampleK());
                    values = e.shape().size() <= 1 && e.count() <= opt.valuesLimit() ? new double[(int) e.count()] : null;
                } else if (base >= 0) {
                    // the global tensor's sample positions that fall in this slice, made local
                    long[] global = CoordinateSample.positions(e.name(), slice.globalCount(), opt.sampleK());
                    int lo = Arrays.binarySearch(global, base);
                    if (lo < 0) lo = -lo - 1;
                    int hi = Arrays.binarySearch(global, base + e.count());
                    if (hi < 0) hi = -hi - 1;
                    positions = new long[hi - lo];
                    for (int i = lo; i < hi; i++) positions[i - lo] = global[i] - base;
                    values = slice.globalShape().size() <= 1 && slice.globalCount() <= opt.valuesLimit()
                            ? new double[(int) e.count()] : null;
                } else {
                    positions = new long[0]; // no global flat positions for a non-contiguous slice
                    values = null;
                }
                sampleValues = new double[positions.length];
                stats = new StatsAccumulator();
                sketch = new TensorSketch.Builder(e.name(), opt.sketchWidth());
            } else {
                positions = null;
                sampleValues = null;
                values = null;
            }
        }
    }

    private static final class Run {
        private static final int BLOCK = 4096;
        private final CheckpointSource src;
        private final ManifestOptions opt;
        /** Each worker's direct chunk buffer: the positioned read lands in it with no copy to the heap. */
        private final ThreadLocal<ByteBuffer> chunkBuffer;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final ThreadLocal<double[]> scratch = ThreadLocal.withInitial(() -> new double[BLOCK]);
        private final ThreadLocal<int[]> histogram = ThreadLocal.withInitial(() -> new int[1 << 16]);
        /** Each worker's BF16/F32 loops: the vector kernel's, or the scalar ones for a small checkpoint. */
        private final ThreadLocal<FloatChunks> floats;
        /** Heap copy of a chunk for the dtypes whose decoders read byte arrays (all but BF16 and F32). */
        private final ThreadLocal<byte[]> heapChunk;
        private TensorManifest[] results;
        private String[] fileSha;
        private CountDownLatch done;
        /**
         * The files read direct, by the channel their reader opened (filled before the workers start, read
         * only after); and those whose direct reads failed, read buffered from then on.
         */
        private final Map<FileChannel, DirectReads> direct = new IdentityHashMap<>();
        private final Set<DirectReads> directFailed = ConcurrentHashMap.newKeySet();
        private int directAlign = 512;
        /** Each worker's buffer for direct reads (a chunk and the partial blocks around it, aligned). */
        private final ThreadLocal<ByteBuffer> alignedBuffer = ThreadLocal.withInitial(this::newAlignedBuffer);

        private ByteBuffer newAlignedBuffer() {
            return DirectReads.buffer(opt.chunkBytes(), directAlign);
        }

        private final java.util.function.LongConsumer progress;

        Run(CheckpointSource src, ManifestOptions opt, java.util.function.LongConsumer progress) {
            this.progress = progress;
            this.src = src;
            this.opt = opt;
            this.chunkBuffer = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(opt.chunkBytes()).order(ByteOrder.LITTLE_ENDIAN));
            this.heapChunk = ThreadLocal.withInitial(() -> new byte[opt.chunkBytes()]);
            long floatBytes = 0;
            for (SourceTensor t : src.tensors()) {
                if (t.decodes() && (t.dtype() == Dtype.BF16 || t.dtype() == Dtype.F32)) floatBytes += t.byteLength();
            }
            this.floats = FloatChunks.vectorFor(floatBytes) ? ThreadLocal.withInitial(FloatChunks::new)
                    : ThreadLocal.withInitial(() -> new FloatChunks(null));
        }

        private boolean wantsFileSha(SourceFile f) {
            return opt.fileSha256() || f.leafIsFileSha();
        }

        CheckpointManifest run() {
            List<SourceFile> files = src.files();
            List<SourceTensor> tensors = src.tensors();
            int nFiles = files.size();
            results = new TensorManifest[tensors.size()];
            fileSha = new String[nFiles];
            int total = tensors.size();
            for (SourceFile f : files) total += wantsFileSha(f) ? 1 : 0;
            done = new CountDownLatch(total);
            ExecutorService pool = Executors.newFixedThreadPool(opt.threads(), r -> {
                Thread t = new Thread(r, "trainproof-manifest");
                t.setDaemon(true);
                return t;
            });
            try {
                for (int i = 0; i < nFiles; i++) {
                    SourceFile f = files.get(i);
                    if (f.channel().size() != f.size()) {
                        throw new SafetensorsFormatException(f.abs(), SafetensorsRule.UNREADABLE, "file changed size while reading");
                    }
                }
                openDirect(files);
                for (int i = 0; i < nFiles; i++) {
                    SourceFile f = files.get(i);
                    if (wantsFileSha(f)) {
                        final int fi = i;
                        pool.execute(() -> guarded(() -> {
                            fileSha[fi] = wholeFileSha(f.channel(), f.abs().toString());
                            done.countDown();
                        }));
                    }
                }
                List<Job> jobs = new ArrayList<>(tensors.size());
                for (int t = 0; t < tensors.size(); t++) {
                    SourceTensor st = tensors.get(t);
                    jobs.add(new Job(st.fileIndex(), t, st, files.get(st.fileIndex()).abs() + " tensor '" + st.name() + "'", opt));
                }
                // largest first, so the last tensors to finish are small ones and the workers end together
                jobs.sort((x, y) -> Long.compare(y.entry.byteLength(), x.entry.byteLength()));
                for (Job job : jobs) pool.execute(() -> guarded(() -> tensor(job)));
                while (!done.await(100, TimeUnit.MILLISECONDS)) {
                    checkFailure();
                }
                checkFailure();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainproofException(ExitCode.INTERNAL, "interrupted while building the manifest");
            } catch (IOException e) {
                throw new SafetensorsFormatException(src.root(), SafetensorsRule.UNREADABLE, e.getMessage(), e);
            } finally {
                pool.shutdownNow();
                closeDirect(pool);
            }
            return assemble();
        }

        /**
         * Opens the files {@link ManifestOptions#reads} reads direct: all under {@code DIRECT}, none under
         * {@code BUFFERED}, and under {@code AUTO} those {@link DirectReads#autoDirect} picks.
         */
        private void openDirect(List<SourceFile> files) {
            if (opt.reads() == ManifestOptions.Reads.BUFFERED) return;
            List<SourceFile> candidates = new ArrayList<>();
            long uncached = 0;
            for (SourceFile f : files) {
                if (opt.reads() == ManifestOptions.Reads.DIRECT) {
                    candidates.add(f);
                } else if (DirectReads.autoCandidate(f.channel(), f.size(), wantsFileSha(f))) {
                    candidates.add(f);
                    uncached += f.size();
                }
            }
            if (opt.reads() == ManifestOptions.Reads.AUTO && !DirectReads.autoDirect(uncached, DirectReads.memoryAvailable())) return;
            for (SourceFile f : candidates) {
                String[] why = new String[1];
                DirectReads d = DirectReads.open(f.abs(), f.size(), why);
                if (d == null) continue;
                direct.put(f.channel(), d);
                directAlign = Math.max(directAlign, d.align());
            }
        }

        /** Closes the direct channels once no worker reads them any more (they stop at the next chunk after a failure). */
        private void closeDirect(ExecutorService pool) {
            if (direct.isEmpty()) return;
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (DirectReads d : direct.values()) {
                try {
                    d.close();
                } catch (IOException ignored) {
                    // a channel only read from: nothing to lose
                }
            }
        }

        private void checkFailure() {
            Throwable t = failure.get();
            if (t == null) return;
            if (t instanceof TrainproofException te) throw te;
            if (t instanceof IOException io) {
                throw new SafetensorsFormatException(src.root(), SafetensorsRule.UNREADABLE, "read error: " + io.getMessage(), io);
            }
            if (t instanceof Error err) throw err;
            throw new IllegalStateException("manifest worker failed", t);
        }

        private interface Work {
            void run() throws IOException;
        }

        /** Runs w unless a worker already failed. */
        private void guarded(Work w) {
            if (failure.get() != null) return;
            try {
                w.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        private String wholeFileSha(FileChannel ch, String where) throws IOException {
            MessageDigest md = Digest.newSha256();
            ByteBuffer bb = ByteBuffer.allocateDirect(1 << 20);
            DirectReads d = direct.get(ch);
            ByteBuffer ab = d == null ? null : DirectReads.buffer(1 << 20, d.align());
            long size = ch.size();
            for (long pos = 0; pos < size; ) {
                int len = (int) Math.min(1 << 20, size - pos);
                ByteBuffer view = readDirect(d, pos, len, ab, where);
                if (view != null) {
                    md.update(view);
                } else {
                    bb.clear().limit(len);
                    SafetensorsReader.readFully(ch, bb, pos, where);
                    BUFFERED_BYTES.add(len);
                    md.update(bb.flip());
                }
                pos += len;
                if (failure.get() != null) return null;
            }
            return Digest.of(md.digest()).toString();
        }

        /**
         * Bytes [pos, pos + len) of the file {@code d} reads direct, as a view into {@code buf}; null when that
         * file is not read direct ({@code d} null), or its direct reads failed, now or before: the caller
         * then reads the same bytes buffered, as it does from then on.
         */
        private ByteBuffer readDirect(DirectReads d, long pos, int len, ByteBuffer buf, String where) throws IOException {
            if (d == null || directFailed.contains(d)) return null;
            ByteBuffer view = d.read(pos, len, buf, where);
            if (view == null) {
                directFailed.add(d);
                return null;
            }
            DIRECT_BYTES.add(len);
            return view;
        }

        /** Streams one tensor: per chunk, read, summarise, hash (the bytes still in cache), merge. */
        private void tensor(Job job) throws IOException {
            TensorSketch.Builder chunkSketch = null;
            for (int k = 0; k < job.chunks; k++) {
                if (failure.get() != null) return;
                long off = (long) k * opt.chunkBytes();
                int len = (int) Math.min(opt.chunkBytes(), job.entry.byteLength() - off);
                ByteBuffer buf = readChunk(job, off, len);
                if (job.decode) {
                    StatsAccumulator st = new StatsAccumulator();
                    // one chunk builder per tensor, emptied per chunk: a new one costs two SHA-256 seed
                    // derivations and 8 KB, ≈ 8 µs a chunk (≈ 1 % of a 1 MiB BF16 chunk's kernel time)
                    if (chunkSketch == null) chunkSketch = new TensorSketch.Builder(job.sketch);
                    else chunkSketch.clear();
                    TensorSketch.Builder sk = chunkSketch;
                    compute(job, buf, len, off, st, sk);
                    job.stats.merge(st);
                    job.sketch.merge(sk);
                }
                job.md.update(buf.clear().limit(len));
                if (progress != null) progress.accept(len);
            }
            finish(job);
        }

        /**
         * Logical bytes [off, off + len) of the job's tensor (position 0, limit len): read straight from the
         * disk into the worker's aligned buffer where its file is read direct ({@link DirectReads}), else into
         * the worker's chunk buffer through the page cache.
         */
        private ByteBuffer readChunk(Job job, long off, int len) throws IOException {
            TensorBytes.Stored at = job.entry.bytes().stored();
            ByteBuffer view = at == null ? null : readDirect(direct.get(at.channel()), at.at() + off, len, alignedBuffer.get(), job.where);
            if (view != null) return view;
            ByteBuffer buf = chunkBuffer.get();
            buf.clear().limit(len);
            job.entry.bytes().read(off, buf);
            if (buf.hasRemaining()) throw new IOException(job.where + ": short read");
            BUFFERED_BYTES.add(len);
            return buf;
        }

        private void compute(Job job, ByteBuffer direct, int len, long byteOff, StatsAccumulator st, TensorSketch.Builder sk) {
            Dtype dt = job.entry.dtype();
            int bits = dt.bits();
            long e0 = byteOff * 8 / bits;
            int m = (int) ((long) len * 8 / bits);
            double[] x = scratch.get();
            byte[] buf = null;
            // BF16 and F32 (nearly all weights): statistics and sketch in one pass straight from the direct
            // buffer (FloatChunks: vector kernel where available); other dtypes and exact small values
            // decode from a heap copy
            boolean fused = (dt == Dtype.BF16 || dt == Dtype.F32) && job.values == null;
            if (!fused) {
                buf = heapChunk.get();
                direct.get(0, buf, 0, len);
            }
            if (fused) {
                floats.get().add(dt == Dtype.BF16, direct, 0, m, job.sketchBase + e0, st, sk);
            } else if (ElementDecoder.tabulated(dt)) {
                // 8/16-bit types: exact stats from a code histogram (one increment per element)
                double[] table = ElementDecoder.table(dt);
                int[] hist = histogram.get();
                ElementDecoder.histogram(dt, buf, 0, m, hist);
                st.addHistogram(table, hist);
                for (int j = 0; j < m; j += BLOCK) {
                    int n = Math.min(BLOCK, m - j);
                    ElementDecoder.decodeTabulated(table, bits, buf, j, n, x);
                    sk.addBlock(job.sketchBase + e0 + j, x, n);
                    if (job.values != null) System.arraycopy(x, 0, job.values, (int) (e0 + j), n);
                }
            } else {
                for (int j = 0; j < m; j += BLOCK) {
                    int n = Math.min(BLOCK, m - j);
                    ElementDecoder.decode(dt, buf, j, n, x);
                    st.addBlock(x, n);
                    sk.addBlock(job.sketchBase + e0 + j, x, n);
                    if (job.values != null) System.arraycopy(x, 0, job.values, (int) (e0 + j), n);
                }
            }
            long[] pos = job.positions;
            int i = Arrays.binarySearch(pos, e0);
            if (i < 0) i = -i - 1;
            for (; i < pos.length && pos[i] < e0 + m; i++) {
                int idx = (int) (pos[i] - e0);
                job.sampleValues[i] = buf != null ? ElementDecoder.decodeOne(dt, buf, idx) : dt.decode(direct, idx * dt.bytes());
            }
        }

        private void finish(Job job) {
            SourceTensor e = job.entry;
            String sha = Digest.of(job.md.digest()).toString();
            TensorStats stats = null;
            List<Double> values = null;
            CoordinateSample sample = null;
            TensorSketch sketch = null;
            if (job.decode) {
                stats = job.stats.toStats();
                if (job.values != null && stats.finite() == stats.count()) {
                    values = new ArrayList<>(job.values.length);
                    for (double v : job.values) values.add(v);
                }
                boolean defined = job.slice == null || job.slice.contiguousBase(e.shape()) >= 0;
                sample = defined ? CoordinateSample.of(job.sampleValues) : null;
                sketch = defined ? job.sketch.build() : null;
            }
            results[job.tensorIndex] = new TensorManifest(e.name(), e.dtypeName(), e.shape(),
                    src.files().get(job.fileIndex).path(), e.begin(), e.end(), sha, stats, values, sample, sketch, job.slice, null);
            done.countDown();
        }

        private CheckpointManifest assemble() {
            List<FileManifest> fms = new ArrayList<>();
            List<Digest> fileRoots = new ArrayList<>();
            List<SourceFile> files = src.files();
            for (int i = 0; i < files.size(); i++) {
                SourceFile f = files.get(i);
                List<Digest> leaves = new ArrayList<>();
                leaves.add(f.leafIsFileSha() ? Digest.parse(fileSha[i]) : f.header());
                for (TensorManifest t : results) {
                    if (t.file().equals(f.path())) leaves.add(Digest.parse(t.sha256()));
                }
                Digest root = merkleRoot(leaves);
                fileRoots.add(root);
                fms.add(new FileManifest(f.path(), f.size(), f.header() == null ? null : f.header().toString(), root.toString(),
                        fileSha[i], f.metadata().isEmpty() ? null : f.metadata()));
            }
            Digest root = files.size() > 1 ? merkleRoot(fileRoots) : fileRoots.get(0);
            return new CheckpointManifest(src.format(), root.toString(), fms, List.of(results), null, null, null,
                    src.info().isEmpty() ? null : src.info());
        }
    }

    /** RFC 9162 root over the given 32-byte digests as leaf inputs (leaf = SHA-256(0x00 || digest)). */
    static Digest merkleRoot(List<Digest> leaves) {
        org.trainproof.merkle.TreeBuilder tree = new org.trainproof.merkle.TreeBuilder();
        for (Digest d : leaves) tree.append(org.trainproof.merkle.Hashes.leaf(d.toByteArray()));
        return tree.root();
    }
}
