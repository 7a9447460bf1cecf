package org.trainproof.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;

/**
 * Folds the shard manifests of one distributed checkpoint (one per rank, from {@code inspect --json
 * --rank R --world-size W}) into the single manifest a ledger entry records (docs/distributed.md).
 *
 * <ul>
 *   <li>Ranks: every rank 0..W−1 exactly once, all with the same world size and format.
 *   <li>{@code root}: RFC 9162 root over the shard roots in rank order (each shard root already covers
 *       every byte of that rank's files).
 *   <li>Files: every rank's files, stamped with rank and host; a path may appear once only.
 *   <li>Tensors: each name once. A tensor held whole by one rank is kept as that rank recorded it. A
 *       tensor declared as slices ({@link TensorSlice}) must have them tile its global shape exactly —
 *       no overlap, nothing missing, one dtype and global shape — and is recorded with its global
 *       shape, its {@link SlicePart}s in offset order, and sha256 = RFC 9162 root over the slice
 *       digests in that order. Statistics combine exactly for counts, min and max, and by the pairwise
 *       formula of Chan, Golub &amp; LeVeque (1979) for mean and variance (l2 from them, as
 *       {@link StatsAccumulator}). Coordinate samples concatenate (each slice recorded the global
 *       positions inside it, so the result is the whole tensor's tp-sample-v1 sample) and CountSketches
 *       add (linear, global indices), both only when every slice has them (contiguous slices);
 *       exact values concatenate for 1-D tensors.
 * </ul>
 * Any violation is a {@link TrainproofException#badInput} naming the manifest, rank and tensor.
 */
public final class ShardFold {
    private ShardFold() {}

    /** One shard manifest and where it came from (for messages). */
    public record Shard(String source, CheckpointManifest manifest) {}

    public static CheckpointManifest fold(List<Shard> shards) {
        if (shards.isEmpty()) throw TrainproofException.usage("no shard manifests to fold");
        Integer world = null;
        String format = null;
        Map<Integer, Shard> byRank = new java.util.TreeMap<>();
        for (Shard s : shards) {
            CheckpointManifest m = s.manifest();
            if (m.rank() == null || m.worldSize() == null) {
                throw TrainproofException.badInput(s.source(), "not a shard manifest: no rank/world_size (make it with "
                        + "'trainproof inspect --json --rank R --world-size W')");
            }
            if (world == null) {
                world = m.worldSize();
                format = m.format();
            }
            if (!m.worldSize().equals(world)) {
                throw TrainproofException.badInput(s.source(), "world size " + m.worldSize() + ", but "
                        + shards.get(0).source() + " states " + world);
            }
            if (!m.format().equals(format)) {
                throw TrainproofException.badInput(s.source(), "format " + m.format() + ", but " + shards.get(0).source() + " is " + format);
            }
            if (m.rank() < 0 || m.rank() >= world) {
                throw TrainproofException.badInput(s.source(), "rank " + m.rank() + " is outside 0.." + (world - 1));
            }
            Shard prev = byRank.put(m.rank(), s);
            if (prev != null) {
                throw TrainproofException.badInput(s.source(), "rank " + m.rank() + " is also the rank of " + prev.source());
            }
        }
        if (byRank.size() != world) {
            List<Integer> missing = new ArrayList<>();
            for (int r = 0; r < world && missing.size() < 20; r++) if (!byRank.containsKey(r)) missing.add(r);
            throw TrainproofException.badInput(shards.get(0).source(), "world size " + world + " but " + byRank.size()
                    + " shard manifests; missing rank(s) " + missing + (world - byRank.size() > missing.size() ? " ..." : ""));
        }
        List<Digest> roots = new ArrayList<>();
        List<FileManifest> files = new ArrayList<>();
        Map<String, Integer> fileRank = new HashMap<>();
        Map<String, List<Held>> tensors = new LinkedHashMap<>();
        for (Shard s : byRank.values()) {
            CheckpointManifest m = s.manifest();
            int rank = m.rank();
            try {
                roots.add(Digest.parse(m.root()));
            } catch (IllegalArgumentException e) {
                throw TrainproofException.badInput(s.source(), "root '" + m.root() + "' is not a SHA-256 hex digest");
            }
            for (FileManifest f : m.files()) {
                Integer other = fileRank.putIfAbsent(f.path(), rank);
                if (other != null) {
                    throw TrainproofException.badInput(s.source(), "file '" + f.path() + "' is listed by rank " + other + " and rank " + rank
                            + " (give each rank its own file names)");
                }
                files.add(f.onRank(rank, m.host()));
            }
            for (TensorManifest t : m.tensors()) tensors.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(new Held(s, rank, t));
        }
        List<TensorManifest> out = new ArrayList<>(tensors.size());
        for (List<Held> parts : tensors.values()) out.add(foldTensor(parts));
        return new CheckpointManifest(format, Manifests.merkleRoot(roots).toString(), files, out, null, world, null);
    }

    private record Held(Shard shard, int rank, TensorManifest t) {}

    private static TensorManifest foldTensor(List<Held> parts) {
        Held first = parts.get(0);
        String name = first.t().name();
        if (parts.size() == 1 && first.t().slice() == null) return first.t();
        for (Held h : parts) {
            if (h.t().slice() == null) {
                throw TrainproofException.badInput(h.shard().source(), "tensor '" + name + "' is held by ranks " + ranks(parts)
                        + " but rank " + h.rank() + " declares no slice (" + TensorSlice.METADATA_KEY + " metadata); a tensor"
                        + " split across ranks needs its offsets, and a replicated one must be saved by one rank only");
            }
            if (!h.t().dtype().equals(first.t().dtype()) || !h.t().slice().globalShape().equals(first.t().slice().globalShape())) {
                throw TrainproofException.badInput(h.shard().source(), "tensor '" + name + "': rank " + h.rank() + " has dtype "
                        + h.t().dtype() + " global shape " + h.t().slice().globalShape() + ", rank " + first.rank() + " has "
                        + first.t().dtype() + " " + first.t().slice().globalShape());
            }
        }
        List<Long> global = first.t().slice().globalShape();
        List<Held> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparing((Held h) -> h.t().slice().offsets(), ShardFold::lexicographic));
        checkTiling(name, global, sorted);
        List<SlicePart> slices = new ArrayList<>();
        List<Digest> digests = new ArrayList<>();
        StatsAccumulator stats = new StatsAccumulator();
        boolean allStats = true, allSamples = true, allSketches = true, allValues = true;
        for (Held h : sorted) {
            TensorManifest t = h.t();
            slices.add(new SlicePart(h.rank(), t.file(), t.begin() == null ? 0 : t.begin(), t.end() == null ? 0 : t.end(),
                    t.slice().offsets(), t.shape(), t.sha256()));
            try {
                digests.add(Digest.parse(t.sha256()));
            } catch (IllegalArgumentException e) {
                throw TrainproofException.badInput(h.shard().source(), "tensor '" + name + "': sha256 is not a SHA-256 hex digest");
            }
            if (t.stats() == null) allStats = false;
            else stats.merge(StatsAccumulator.of(t.stats()));
            allSamples &= t.sample() != null;
            allSketches &= t.sketch() != null && t.sketch().width() == sketchWidth(sorted)
                    && t.sketch().scheme().equals(sorted.get(0).t().sketch().scheme()); // v2 and v3 parts do not add up
            allValues &= t.values() != null;
        }
        CoordinateSample sample = null;
        if (allSamples) {
            List<double[]> vs = new ArrayList<>();
            int k = 0;
            for (Held h : sorted) {
                double[] v = h.t().sample().values();
                vs.add(v);
                k += v.length;
            }
            double[] all = new double[k];
            int at = 0;
            for (double[] v : vs) {
                System.arraycopy(v, 0, all, at, v.length);
                at += v.length;
            }
            sample = CoordinateSample.of(all);
        }
        TensorSketch sketch = null;
        if (allSketches) {
            int w = sketchWidth(sorted);
            double[] sum = new double[w];
            for (Held h : sorted) {
                double[] b = h.t().sketch().buckets();
                for (int i = 0; i < w; i++) sum[i] += b[i];
            }
            ByteBuffer bb = ByteBuffer.allocate(4 * w).order(ByteOrder.LITTLE_ENDIAN);
            for (double v : sum) bb.putFloat((float) v);
            sketch = new TensorSketch(sorted.get(0).t().sketch().scheme(), w, TensorSketch.DEPTH, Base64.getEncoder().encodeToString(bb.array()));
        }
        List<Double> values = null;
        if (allValues && global.size() <= 1) {
            values = new ArrayList<>();
            for (Held h : sorted) values.addAll(h.t().values());
        }
        return new TensorManifest(name, first.t().dtype(), global, null, null, null,
                Manifests.merkleRoot(digests).toString(), allStats ? stats.toStats() : null, values, sample, sketch, null, slices);
    }

    private static int sketchWidth(List<Held> parts) {
        TensorSketch s = parts.get(0).t().sketch();
        return s == null ? -1 : s.width();
    }

    /**
     * Requires slices sorted by offsets; refuses overlaps and gaps. A sweep on dimension 0: only slices
     * whose dimension-0 ranges intersect are compared box against box. No overlaps and a total volume
     * equal to the global element count means the slices tile the tensor.
     */
    private static void checkTiling(String name, List<Long> global, List<Held> sorted) {
        int r = global.size();
        long volume = 0;
        long count = 1;
        for (long d : global) count = Math.multiplyExact(count, d);
        for (int i = 0; i < sorted.size(); i++) {
            Held a = sorted.get(i);
            volume = Math.addExact(volume, a.t().count());
            if (a.t().count() == 0) continue;
            for (int j = i + 1; j < sorted.size(); j++) {
                Held b = sorted.get(j);
                if (b.t().count() == 0) continue;
                if (r > 0 && b.t().slice().offsets().get(0) >= a.t().slice().offsets().get(0) + a.t().shape().get(0)) break;
                if (overlap(a.t(), b.t())) {
                    throw TrainproofException.badInput(b.shard().source(), "tensor '" + name + "': the slice of rank " + b.rank()
                            + " (offsets " + b.t().slice().offsets() + ", shape " + b.t().shape() + ") overlaps the slice of rank " + a.rank()
                            + " (offsets " + a.t().slice().offsets() + ", shape " + a.t().shape() + ")");
                }
            }
        }
        if (volume != count) {
            throw TrainproofException.badInput(sorted.get(0).shard().source(), "tensor '" + name + "' (global shape " + global
                    + "): the slices of ranks " + ranks(sorted) + " cover " + volume + " of its " + count + " elements; a slice is missing");
        }
    }

    private static boolean overlap(TensorManifest a, TensorManifest b) {
        for (int d = 0; d < a.shape().size(); d++) {
            long a0 = a.slice().offsets().get(d), a1 = a0 + a.shape().get(d);
            long b0 = b.slice().offsets().get(d), b1 = b0 + b.shape().get(d);
            if (a1 <= b0 || b1 <= a0) return false;
        }
        return true;
    }

    private static int lexicographic(List<Long> a, List<Long> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Long.compare(a.get(i), b.get(i));
            if (c != 0) return c;
        }
        return Integer.compare(a.size(), b.size());
    }

    private static String ranks(List<Held> parts) {
        TreeSet<Integer> rs = new TreeSet<>();
        for (Held h : parts) rs.add(h.rank());
        return rs.toString();
    }
}
