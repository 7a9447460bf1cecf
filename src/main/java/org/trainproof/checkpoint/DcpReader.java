package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;

/**
 * PyTorch Distributed Checkpoint folders ({@code .metadata} + {@code __<rank>_<n>.distcp}; formats.md
 * §3.1). {@code .metadata} is a plain pickle of dataclasses, interpreted by {@link Pickle} with the
 * DCP_METADATA allowlist (nothing is instantiated). Each tensor chunk is a complete torch.save archive
 * embedded at (file, offset, length) and read in place by {@link TorchReader#readZip}.
 *
 * <p>Two entry points: {@link #open} gives the whole checkpoint, each tensor assembled from its chunks
 * in global C order (so its digest equals the same tensor's digest in any other container); and
 * {@link #openShard} gives only the chunks stored in one {@code .distcp} file, named
 * {@code fqn@o0,o1,...} (chunk offsets), for per-rank shard hashing.
 */
public final class DcpReader {
    private DcpReader() {}

    /** One chunk as {@code .metadata} places it. */
    public record Item(String fqn, String dtype, List<Long> globalShape, List<Long> offsets, List<Long> sizes,
            String file, long offset, long length) {}

    /** Whether {@code dir} is a DCP folder (has {@code .metadata}). */
    public static boolean isDcp(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(".metadata"));
    }

    /** The chunks listed in {@code dir/.metadata}, in metadata order; non-tensor (bytes) items are skipped. */
    public static List<Item> items(Path dir) {
        Path meta = dir.resolve(".metadata");
        String where = meta.toString();
        byte[] data;
        try {
            long size = Files.size(meta);
            if (size > Pickle.Limits.defaults().maxBytes()) throw TrainproofException.badInput(where, ".metadata of " + size + " bytes is above the limit");
            data = Files.readAllBytes(meta); // bounded above: a pickle, not tensor data
        } catch (IOException e) {
            throw TrainproofException.badInput(where, "cannot read: " + e.getMessage());
        }
        Object root = Pickle.load(data, where, Pickle.Policy.DCP_METADATA);
        if (!(root instanceof Pickle.PObject md) || !md.cls.name().equals("Metadata")) {
            throw TrainproofException.badInput(where, "not a torch.distributed.checkpoint Metadata object");
        }
        Map<?, ?> sdm = map(md.field("state_dict_metadata"), where, "state_dict_metadata");
        Map<?, ?> storage = map(md.field("storage_data"), where, "storage_data");
        Map<String, Pickle.PObject> infoByChunk = new HashMap<>();
        for (Map.Entry<?, ?> e : storage.entrySet()) {
            if (!(e.getKey() instanceof Pickle.PObject idx) || !(e.getValue() instanceof Pickle.PObject info)) {
                throw TrainproofException.badInput(where, "storage_data entry is not MetadataIndex → _StorageInfo");
            }
            infoByChunk.put(idx.field("fqn") + "@" + longs(idx.field("offset"), where), info);
        }
        List<Item> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : sdm.entrySet()) {
            String fqn = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Pickle.PObject tsm)) throw TrainproofException.badInput(where, "metadata of '" + fqn + "' is not an object");
            if (tsm.cls.name().equals("BytesStorageMetadata")) continue;
            if (!tsm.cls.name().equals("TensorStorageMetadata")) {
                throw TrainproofException.badInput(where, "'" + fqn + "' has metadata " + tsm.cls.qualified());
            }
            String dtype = dtypeOf(tsm.field("properties"), where, fqn);
            List<Long> shape = longs(tsm.field("size"), where);
            if (!(tsm.field("chunks") instanceof List<?> chunks)) throw TrainproofException.badInput(where, "'" + fqn + "' has no chunk list");
            for (Object c : chunks) {
                if (!(c instanceof Pickle.PObject cm)) throw TrainproofException.badInput(where, "'" + fqn + "' chunk is not an object");
                List<Long> offs = longs(cm.field("offsets"), where);
                List<Long> sizes = longs(cm.field("sizes"), where);
                Pickle.PObject info = infoByChunk.get(fqn + "@" + offs);
                if (info == null) throw TrainproofException.badInput(where, "'" + fqn + "' chunk at " + offs + " has no storage entry");
                Object td = info.field("transform_descriptors");
                if (td instanceof List<?> l && !l.isEmpty()) {
                    throw TrainproofException.badInput(where, "'" + fqn + "' chunk is stored with transforms " + l + " (compressed DCP is not read)");
                }
                String rel = String.valueOf(info.field("relative_path"));
                if (rel.isEmpty() || rel.contains("/") || rel.contains("\\") || rel.equals("..") || rel.equals(".")) {
                    throw TrainproofException.badInput(where, "'" + fqn + "' names file '" + rel + "', not a plain file in the folder");
                }
                if (!(info.field("offset") instanceof Long off) || !(info.field("length") instanceof Long len) || off < 0 || len < 0) {
                    throw TrainproofException.badInput(where, "'" + fqn + "' chunk has no offset/length");
                }
                out.add(new Item(fqn, dtype, shape, offs, sizes, rel, off, len));
            }
        }
        return out;
    }

    private static Map<?, ?> map(Object o, String where, String what) {
        if (o instanceof Map<?, ?> m) return m;
        throw TrainproofException.badInput(where, what + " is not a dict");
    }

    private static String dtypeOf(Object props, String where, String fqn) {
        if (props instanceof Pickle.PObject p) {
            Object s = p.state;
            Object d = s instanceof Pickle.Tuple t && t.size() > 0 ? t.get(0) : p.field("dtype");
            if (d instanceof Pickle.TorchDtype td) return td.name();
        }
        throw TrainproofException.badInput(where, "'" + fqn + "' has no dtype in its properties");
    }

    private static List<Long> longs(Object o, String where) {
        if (o instanceof Pickle.Tuple t) {
            List<Long> r = new ArrayList<>();
            for (Object x : t.items()) {
                if (!(x instanceof Long l) || l < 0) throw TrainproofException.badInput(where, "size entry " + x + " is not a count");
                r.add(l);
            }
            return r;
        }
        throw TrainproofException.badInput(where, "expected a size tuple, found " + Pickle.describe(o));
    }

    /** The whole DCP checkpoint; each tensor's logical bytes are its chunks assembled in global C order. */
    public static CheckpointSource open(Path dir) {
        return open(dir, null);
    }

    /** Only the chunks stored in {@code distcpFile} (a file name in {@code dir}), each as its own tensor {@code fqn@offsets}. */
    public static CheckpointSource openShard(Path dir, String distcpFile) {
        return open(dir, distcpFile);
    }

    /**
     * One rank's part of a DCP checkpoint for a shard manifest (docs/distributed.md): the chunks stored in
     * {@code distcpFile} (null for none), each named by its tensor's fqn and carrying its place in the
     * global tensor from {@code .metadata} as a {@link TensorSlice} (a chunk that is the whole tensor is a
     * whole tensor), so rank manifests fold with {@link ShardFold}. {@code withMetadata}: list
     * {@code .metadata} as a file too (the coordinator, rank 0, wrote it; exactly one rank lists it).
     */
    public static CheckpointSource openRankShard(Path dir, String distcpFile, boolean withMetadata) {
        return open(dir, distcpFile, true, withMetadata);
    }

    /**
     * The part of a DCP folder that one shard file stands for, to re-read it alone: a {@code *.distcp}
     * file as {@link #openRankShard}{@code (dir, name, false)}, {@code .metadata} as that file alone; null
     * when {@code file} is neither or its folder has no {@code .metadata}.
     */
    public static CheckpointSource openShardFile(Path file) {
        Path dir = file.toAbsolutePath().normalize().getParent();
        String n = file.getFileName().toString();
        if (dir == null || !isDcp(dir)) return null;
        if (n.equals(".metadata")) return open(dir, null, true, true);
        if (n.endsWith(".distcp")) return open(dir, n, true, false);
        return null;
    }

    private static CheckpointSource open(Path dir, String onlyFile) {
        return open(dir, onlyFile, false, true);
    }

    private static CheckpointSource open(Path dir, String onlyFile, boolean sliced, boolean withMetadata) {
        Path abs = dir.toAbsolutePath().normalize();
        List<Item> items = items(abs);
        TreeMap<String, Integer> fileIndex = new TreeMap<>();
        if (withMetadata) fileIndex.put(".metadata", 0);
        if (sliced) {
            if (onlyFile != null) {
                if (!Files.isRegularFile(abs.resolve(onlyFile))) throw TrainproofException.badInput(abs.resolve(onlyFile), "no such shard file");
                fileIndex.put(onlyFile, 0);
            }
        } else if (onlyFile == null) {
            try (var s = Files.list(abs)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".distcp")).sorted().forEach(n -> fileIndex.put(n, 0));
            } catch (IOException e) {
                throw TrainproofException.badInput(abs, "cannot list: " + e.getMessage());
            }
        } else {
            fileIndex.put(onlyFile, 0);
        }
        for (Item it : items) {
            if (!sliced && onlyFile == null && !fileIndex.containsKey(it.file())) {
                throw TrainproofException.badInput(abs, "'" + it.fqn() + "' is stored in " + it.file() + ", which is missing");
            }
        }
        List<SourceFile> files = new ArrayList<>();
        List<SourceTensor> tensors = new ArrayList<>();
        boolean ok = false;
        try {
            int i = 0;
            for (String name : fileIndex.keySet()) {
                fileIndex.put(name, i++);
                Path p = abs.resolve(name);
                FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
                Digest header = name.equals(".metadata") ? Digest.sha256(Files.readAllBytes(p)) : null;
                files.add(new SourceFile(name, p, ch, ch.size(), header, Map.of(), true));
            }
            // group chunks by tensor, in metadata order
            Map<String, List<Item>> byFqn = new java.util.LinkedHashMap<>();
            for (Item it : items) byFqn.computeIfAbsent(it.fqn(), k -> new ArrayList<>()).add(it);
            for (Map.Entry<String, List<Item>> e : byFqn.entrySet()) {
                List<TensorBytes.Chunk> chunks = new ArrayList<>();
                Item first = null;
                for (Item it : e.getValue()) {
                    if ((onlyFile != null || sliced) && !it.file().equals(onlyFile)) continue;
                    SourceFile f = files.get(fileIndex.get(it.file()));
                    String where = f.abs() + " chunk of '" + it.fqn() + "' at " + it.offsets();
                    if (it.offset() + it.length() > f.size()) throw TrainproofException.badInput(where, "extends beyond the file");
                    TorchReader.Payload pl = TorchReader.readZip(f.channel(), it.offset(), it.length(), where);
                    if (pl.tensors().size() != 1) throw TrainproofException.badInput(where, "holds " + pl.tensors().size() + " tensors, not 1");
                    TorchReader.Named t = pl.tensors().get(0);
                    if (!t.shape().equals(it.sizes())) throw TrainproofException.badInput(where, "holds shape " + t.shape() + ", metadata says " + it.sizes());
                    if (!t.dtypeName().equals(dtypeName(it.dtype()))) {
                        throw TrainproofException.badInput(where, "holds dtype " + t.dtypeName() + ", metadata says " + it.dtype());
                    }
                    if (sliced) {
                        TensorSlice sl = it.sizes().equals(it.globalShape()) ? null : new TensorSlice(it.offsets(), it.globalShape());
                        if (sl != null) {
                            String misfit = sl.misfit(it.sizes());
                            if (misfit != null) throw TrainproofException.badInput(where, "slice: " + misfit);
                        }
                        tensors.add(new SourceTensor(it.fqn(), t.dtype(), t.dtypeName(), t.shape(), t.count(), t.byteLength(),
                                fileIndex.get(it.file()), t.begin(), t.end(), t.bytes(), sl));
                        continue;
                    }
                    if (onlyFile != null) {
                        String n = it.fqn() + "@" + joined(it.offsets());
                        tensors.add(new SourceTensor(n, t.dtype(), t.dtypeName(), t.shape(), t.count(), t.byteLength(),
                                fileIndex.get(it.file()), t.begin(), t.end(), t.bytes()));
                        continue;
                    }
                    if (first == null) first = it;
                    chunks.add(new TensorBytes.Chunk(toArray(it.offsets()), toArray(it.sizes()), t.bytes()));
                }
                if (sliced || onlyFile != null || first == null) continue;
                tensors.add(assemble(abs, first, e.getValue(), chunks, fileIndex.get(first.file())));
            }
            ok = true;
        } catch (IOException ex) {
            throw TrainproofException.badInput(abs, "cannot read: " + ex.getMessage());
        } finally {
            if (!ok) for (SourceFile f : files) {
                try {
                    f.channel().close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
        }
        return new CheckpointSource("dcp", abs, files, tensors, Map.of());
    }

    private static SourceTensor assemble(Path dir, Item first, List<Item> all, List<TensorBytes.Chunk> chunks, int fileIdx) {
        String where = dir + " tensor '" + first.fqn() + "'";
        long[] shape = toArray(first.globalShape());
        int es = TorchReader.elementBytes(first.dtype(), where);
        long count = 1;
        for (long d : shape) count = Math.multiplyExact(count, d);
        // the chunks must tile the tensor: each inside it, no two overlapping, volumes summing to the count
        long vol = 0;
        for (int a = 0; a < chunks.size(); a++) {
            TensorBytes.Chunk c = chunks.get(a);
            if (c.offsets().length != shape.length || c.sizes().length != shape.length) throw TrainproofException.badInput(where, "chunk rank differs from the tensor's");
            long v = 1;
            for (int d = 0; d < shape.length; d++) {
                if (c.offsets()[d] + c.sizes()[d] > shape[d]) throw TrainproofException.badInput(where, "chunk at " + all.get(a).offsets() + " lies outside the tensor");
                v = Math.multiplyExact(v, c.sizes()[d]);
            }
            vol += v;
            for (int b = 0; b < a; b++) {
                TensorBytes.Chunk o = chunks.get(b);
                boolean overlap = true;
                for (int d = 0; d < shape.length; d++) {
                    if (c.offsets()[d] >= o.offsets()[d] + o.sizes()[d] || o.offsets()[d] >= c.offsets()[d] + c.sizes()[d]) overlap = false;
                }
                if (overlap && v > 0) throw TrainproofException.badInput(where, "chunks at " + all.get(a).offsets() + " and " + all.get(b).offsets() + " overlap");
            }
        }
        if (vol != count) throw TrainproofException.badInput(where, "chunks cover " + vol + " of " + count + " elements");
        Dtype dt = TorchReader.DTYPES.get(first.dtype());
        TensorBytes bytes = chunks.size() == 1 && shape.length > 0 ? chunks.get(0).bytes() : TensorBytes.boxed(shape, es, chunks, where);
        return new SourceTensor(first.fqn(), dt, dt != null ? dt.name() : "C128", first.globalShape(), count,
                Math.multiplyExact(count, (long) es), fileIdx, first.offset(), first.offset() + first.length(), bytes);
    }

    private static String dtypeName(String torchDtype) {
        Dtype d = TorchReader.DTYPES.get(torchDtype);
        return d != null ? d.name() : "C128";
    }

    private static long[] toArray(List<Long> l) {
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    private static String joined(List<Long> l) {
        StringBuilder b = new StringBuilder();
        for (Long x : l) b.append(b.length() == 0 ? "" : ",").append(x);
        return b.toString();
    }
}
