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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;

/**
 * Builds the {@link CheckpointManifest} of a safetensors checkpoint (file, sharded directory or index)
 * in one pass over each tensor's bytes.
 *
 * <p>How: every tensor is cut into chunks of {@link ManifestOptions#chunkBytes()} bytes. A chunk is
 * read once (positioned read into a pooled direct buffer, so the kernel's copy is the only one), summarised
 * for stats, coordinate sample, exact values and CountSketch (BF16 in one fused pass straight from the
 * buffer; other dtypes decoded block by block from a heap copy), and then fed to its tensor's SHA-256. Chunks of all tensors of
 * all files run in parallel on {@code threads} workers; a tensor's hash must see its chunks in order,
 * so a finished chunk is parked and whichever worker holds the tensor's hash lock feeds the parked
 * chunks in order (no worker ever blocks waiting for another). Per-chunk statistics and sketches are
 * merged in chunk order as they are hashed, so the result is deterministic for a given chunk size.
 * At most {@code 2·threads + 2} chunks are in flight: memory is constant, independent of file size.
 */
public final class Manifests {
    private Manifests() {}

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
        // guarded by this:
        final Map<Integer, Parked> parked = new HashMap<>();
        boolean hashing;
        int next;
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

    private record Parked(ByteBuffer buf, int len, StatsAccumulator stats, TensorSketch.Builder sketch) {}

    private static final class Run {
        private static final int BLOCK = 4096;
        private final CheckpointSource src;
        private final ManifestOptions opt;
        private final Semaphore permits;
        /** Pooled direct chunk buffers: the positioned read lands in them with no copy to the heap. */
        private final ConcurrentLinkedQueue<ByteBuffer> buffers = new ConcurrentLinkedQueue<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final ThreadLocal<double[]> scratch = ThreadLocal.withInitial(() -> new double[BLOCK]);
        private final ThreadLocal<int[]> histogram = ThreadLocal.withInitial(() -> new int[1 << 16]);
        private final ThreadLocal<F32Summary> f32 = ThreadLocal.withInitial(F32Summary::new);
        /** Heap copy of a chunk for the dtypes whose decoders read byte arrays (all but BF16). */
        private final ThreadLocal<byte[]> heapChunk;
        private TensorManifest[] results;
        private String[] fileSha;
        private CountDownLatch done;

        private final java.util.function.LongConsumer progress;

        Run(CheckpointSource src, ManifestOptions opt, java.util.function.LongConsumer progress) {
            this.progress = progress;
            this.src = src;
            this.opt = opt;
            this.permits = new Semaphore(2 * opt.threads() + 2);
            this.heapChunk = ThreadLocal.withInitial(() -> new byte[opt.chunkBytes()]);
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
                    if (wantsFileSha(f)) {
                        final int fi = i;
                        pool.execute(() -> guarded(false, () -> {
                            fileSha[fi] = wholeFileSha(f.channel(), f.abs().toString());
                            done.countDown();
                        }));
                    }
                }
                for (int t = 0; t < tensors.size(); t++) {
                    SourceTensor st = tensors.get(t);
                    Job job = new Job(st.fileIndex(), t, st, files.get(st.fileIndex()).abs() + " tensor '" + st.name() + "'", opt);
                    if (job.chunks == 0) {
                        finish(job);
                        continue;
                    }
                    for (int k = 0; k < job.chunks; k++) {
                        acquire();
                        final int chunk = k;
                        pool.execute(() -> guarded(true, () -> chunk(job, chunk)));
                    }
                }
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
            }
            return assemble();
        }

        private void acquire() throws InterruptedException {
            while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                checkFailure();
            }
            checkFailure();
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

        /** Runs w unless a worker already failed; a skipped chunk returns its permit. */
        private void guarded(boolean holdsPermit, Work w) {
            if (failure.get() != null) {
                if (holdsPermit) permits.release();
                return;
            }
            try {
                w.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        private String wholeFileSha(FileChannel ch, String where) throws IOException {
            MessageDigest md = Digest.newSha256();
            ByteBuffer bb = ByteBuffer.allocateDirect(1 << 20);
            long size = ch.size();
            for (long pos = 0; pos < size; ) {
                bb.clear();
                bb.limit((int) Math.min(bb.capacity(), size - pos));
                SafetensorsReader.readFully(ch, bb, pos, where);
                int n = bb.position();
                md.update(bb.flip());
                pos += n;
                if (failure.get() != null) return null;
            }
            return Digest.of(md.digest()).toString();
        }

        private void chunk(Job job, int k) throws IOException {
            long off = (long) k * opt.chunkBytes();
            int len = (int) Math.min(opt.chunkBytes(), job.entry.byteLength() - off);
            ByteBuffer buf = buffers.poll();
            if (buf == null) buf = ByteBuffer.allocateDirect(opt.chunkBytes()).order(ByteOrder.LITTLE_ENDIAN);
            buf.clear().limit(len);
            job.entry.bytes().read(off, buf);
            if (buf.hasRemaining()) throw new IOException(job.where + ": short read");
            StatsAccumulator st = null;
            TensorSketch.Builder sk = null;
            if (job.decode) {
                st = new StatsAccumulator();
                sk = new TensorSketch.Builder(job.entry.name(), opt.sketchWidth());
                compute(job, buf, len, off, st, sk);
            }
            park(job, k, new Parked(buf, len, st, sk));
        }

        private void compute(Job job, ByteBuffer direct, int len, long byteOff, StatsAccumulator st, TensorSketch.Builder sk) {
            Dtype dt = job.entry.dtype();
            int bits = dt.bits();
            long e0 = byteOff * 8 / bits;
            int m = (int) ((long) len * 8 / bits);
            double[] x = scratch.get();
            // BF16 (the common case) is summarised straight from the direct buffer; other dtypes and
            // exact small values decode from a heap copy
            byte[] buf = null;
            boolean direct32 = dt == Dtype.F32 && job.values == null;
            if (direct32) {
                // F32 (common for master weights): one pipelined pass straight from the direct buffer; sketch
                // positions are global (a shard's slice starts at sketchBase), as on the other paths
                f32.get().add(direct, 0, m, job.sketchBase + e0, st, sk);
            } else if (dt != Dtype.BF16 || job.values != null) {
                buf = heapChunk.get();
                direct.get(0, buf, 0, len);
            }
            if (ElementDecoder.tabulated(dt)) {
                // 8/16-bit types: exact stats from a code histogram (one increment per element)
                double[] table = ElementDecoder.table(dt);
                int[] hist = histogram.get();
                if (dt == Dtype.BF16) {
                    sk.addBf16Counting(job.sketchBase + e0, direct, 0, m, hist); // sketch and code histogram in one pass
                } else {
                    ElementDecoder.histogram(dt, buf, 0, m, hist);
                }
                st.addHistogram(table, hist);
                if (dt != Dtype.BF16 || job.values != null) {
                    for (int j = 0; j < m; j += BLOCK) {
                        int n = Math.min(BLOCK, m - j);
                        ElementDecoder.decodeTabulated(table, bits, buf, j, n, x);
                        if (dt != Dtype.BF16) sk.addBlock(job.sketchBase + e0 + j, x, n);
                        if (job.values != null) System.arraycopy(x, 0, job.values, (int) (e0 + j), n);
                    }
                }
            } else if (!direct32) {
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

        /** Parks chunk k; if no other worker is hashing this tensor, hashes parked chunks in order. */
        private void park(Job job, int k, Parked p) {
            synchronized (job) {
                job.parked.put(k, p);
                if (job.hashing) return;
                job.hashing = true;
            }
            while (true) {
                Parked q;
                int idx;
                synchronized (job) {
                    q = job.parked.remove(job.next);
                    if (q == null) {
                        job.hashing = false;
                        return;
                    }
                    idx = job.next++;
                }
                job.md.update(q.buf.clear().limit(q.len));
                if (progress != null) progress.accept(q.len);
                if (job.decode) {
                    job.stats.merge(q.stats);
                    job.sketch.merge(q.sketch);
                }
                buffers.offer(q.buf);
                permits.release();
                if (idx == job.chunks - 1) {
                    finish(job);
                    return;
                }
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
