package org.trainproof.checkpoint;

/**
 * What a manifest records and how it is computed.
 *
 * @param valuesLimit exact values are recorded for tensors of rank 0 or 1 with at most this many
 *     elements (norm gains, biases); 0 turns it off
 * @param sampleK coordinate-sample size k
 * @param sketchWidth CountSketch width (power of two; {@code tp-countsketch-v3} has depth 1)
 * @param fileSha256 also compute the plain SHA-256 of each whole file (equals sha256sum)
 * @param threads worker threads (all cores by default)
 * @param chunkBytes bytes per work unit; a positive multiple of 24 so chunks start on element
 *     boundaries for every dtype (F6 packs 4 elements in 3 bytes). Results do not depend on it except
 *     for floating-point rounding of the merged sums.
 * @param reads how tensor bytes are read ({@link Reads}); the results are the same bit for bit
 */
public record ManifestOptions(int valuesLimit, int sampleK, int sketchWidth,
        boolean fileSha256, int threads, int chunkBytes, Reads reads) {
    /**
     * How a manifest reads a file: through the page cache ({@code BUFFERED}: the kernel copies every byte
     * out of it, ≈ 0.15 CPU-s per GB on the hosts of docs/performance.md), straight from the disk into the
     * worker's buffer ({@code DIRECT}, Linux {@code O_DIRECT}: no copy, and a checkpoint larger than memory
     * does not evict the training job's pages), or {@code AUTO}: direct for a file of at least
     * {@link DirectReads#AUTO_MIN_BYTES} that is read once and mostly not in the page cache, when such
     * files of the checkpoint exceed half of the memory available ({@link DirectReads#autoDirect}),
     * buffered otherwise (a checkpoint just written is read from memory, not again from the disk; a
     * smaller one stays cached for the next command; a file hashed whole as well as by tensor, as torch
     * zips, GGUF and DCP files are, is read twice, and the page cache can serve the second read). A file
     * system that refuses direct reads gets buffered ones.
     */
    public enum Reads {
        AUTO,
        DIRECT,
        BUFFERED
    }

    public static final int DEFAULT_VALUES_LIMIT = 4096;
    public static final int DEFAULT_SAMPLE_K = 256;
    /** Caps that keep per-tensor memory small whatever the options: 1 Mi exact values, 64 Ki samples. */
    public static final int MAX_VALUES_LIMIT = 1 << 20;
    public static final int MAX_SAMPLE_K = 1 << 16;
    /**
     * 1 MiB rounded down to a multiple of 384 (= lcm(24, 128)): a chunk stays in a core's L2 cache between
     * its summary and its hash, and BF16/F32 chunks start on whole 64-element sketch sign words.
     */
    public static final int DEFAULT_CHUNK_BYTES = (1 << 20) / 384 * 384;

    public ManifestOptions {
        if (valuesLimit < 0 || valuesLimit > MAX_VALUES_LIMIT) {
            throw new IllegalArgumentException("valuesLimit must be in [0, " + MAX_VALUES_LIMIT + "]");
        }
        if (sampleK > MAX_SAMPLE_K) throw new IllegalArgumentException("sampleK must be <= " + MAX_SAMPLE_K);
        if (sampleK < 0) throw new IllegalArgumentException("sampleK must be >= 0");
        TensorSketch.checkWidth(sketchWidth);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        if (chunkBytes < 24 || chunkBytes % 24 != 0) throw new IllegalArgumentException("chunkBytes must be a positive multiple of 24");
        java.util.Objects.requireNonNull(reads, "reads");
    }

    /** As the canonical constructor, reading with {@link Reads#AUTO}. */
    public ManifestOptions(int valuesLimit, int sampleK, int sketchWidth, boolean fileSha256, int threads, int chunkBytes) {
        this(valuesLimit, sampleK, sketchWidth, fileSha256, threads, chunkBytes, Reads.AUTO);
    }

    public static ManifestOptions defaults() {
        return new ManifestOptions(DEFAULT_VALUES_LIMIT, DEFAULT_SAMPLE_K, TensorSketch.DEFAULT_WIDTH,
                false, Runtime.getRuntime().availableProcessors(), DEFAULT_CHUNK_BYTES);
    }

    public ManifestOptions withFileSha256(boolean on) {
        return new ManifestOptions(valuesLimit, sampleK, sketchWidth, on, threads, chunkBytes, reads);
    }

    public ManifestOptions withThreads(int n) {
        return new ManifestOptions(valuesLimit, sampleK, sketchWidth, fileSha256, n, chunkBytes, reads);
    }

    public ManifestOptions withChunkBytes(int n) {
        return new ManifestOptions(valuesLimit, sampleK, sketchWidth, fileSha256, threads, n, reads);
    }

    public ManifestOptions withReads(Reads r) {
        return new ManifestOptions(valuesLimit, sampleK, sketchWidth, fileSha256, threads, chunkBytes, r);
    }
}
