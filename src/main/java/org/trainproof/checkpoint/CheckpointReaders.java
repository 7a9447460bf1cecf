package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.trainproof.TrainproofException;

/**
 * The one entry point for reading a checkpoint of any container: {@link #open} detects the container
 * by content (never by extension) and returns a {@link CheckpointSource} whose tensors expose their
 * logical bytes. {@link Manifests}, {@code inspect}, {@code record}, {@code verify --artifacts},
 * {@code analyze} and {@code compare} all read through it.
 *
 * <table>
 * <caption>containers</caption>
 * <tr><td>safetensors</td><td>a file, a sharded index, or a directory holding them (formats.md §1)</td></tr>
 * <tr><td>pytorch-zip</td><td>torch.save ≥ 1.6 (.pt/.pth/.bin): zip with {@code <name>/data.pkl}</td></tr>
 * <tr><td>lightning</td><td>a pytorch-zip whose top level has {@code pytorch-lightning_version} or {@code state_dict} + {@code global_step}</td></tr>
 * <tr><td>pytorch-legacy</td><td>pre-1.6 torch.save (magic pickle 0x1950a86a20f9469cfc6c)</td></tr>
 * <tr><td>dcp</td><td>a directory with {@code .metadata} and {@code *.distcp}</td></tr>
 * <tr><td>gguf</td><td>GGUF v2/v3</td></tr>
 * </table>
 */
public final class CheckpointReaders {
    private CheckpointReaders() {}

    /** Trainer facts copied from a torch payload's top level into {@link CheckpointSource#info()}. */
    static final List<String> INFO_KEYS = List.of("global_step", "epoch", "iteration", "iter_num", "step",
            "global_steps", "pytorch-lightning_version");

    /**
     * What {@code path} is, by content: a container name as in {@link CheckpointSource#format()}, or a
     * description of what it is otherwise ("a zip without data.pkl", "a bare pickle", "not a checkpoint").
     */
    public static String describe(Path path) {
        try {
            Kind k = kind(path);
            return k.container != null ? k.container : k.description;
        } catch (TrainproofException e) {
            return e.getMessage();
        }
    }

    /** True when {@code path} holds a checkpoint this package reads (any container). */
    public static boolean isCheckpoint(Path path) {
        try {
            return kind(path).container != null;
        } catch (TrainproofException e) {
            return false;
        }
    }

    private record Kind(String container, String description) {}

    private static Kind kind(Path path) {
        if (Files.isDirectory(path)) {
            if (DcpReader.isDcp(path)) return new Kind("dcp", null);
            if (Files.isRegularFile(path.resolve(".metadata.tmp"))) {
                return new Kind(null, "an incomplete DCP save (.metadata.tmp without .metadata)");
            }
            try (var s = Files.list(path)) {
                if (s.anyMatch(x -> {
                    String n = x.getFileName().toString();
                    return n.endsWith(".safetensors") || n.endsWith(".safetensors.index.json");
                })) {
                    return new Kind("safetensors", null);
                }
            } catch (IOException e) {
                throw TrainproofException.badInput(path, "cannot list directory: " + e.getMessage());
            }
            return new Kind(null, "a directory holding no safetensors files and no DCP .metadata");
        }
        if (!Files.isRegularFile(path)) return new Kind(null, "no such file");
        String name = path.getFileName().toString();
        if (name.endsWith(".index.json")) return new Kind("safetensors", null);
        byte[] head = new byte[64];
        int n;
        long size;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            size = ch.size();
            ByteBuffer b = ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b) > 0) { /* fill */ }
            n = b.position();
        } catch (IOException e) {
            throw TrainproofException.badInput(path, "cannot read: " + e.getMessage());
        }
        if (n == 0) return new Kind(null, "an empty file");
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                String what = TorchReader.whatIsZip(ZipIndex.open(ch, 0, ch.size(), path.toString()));
                return what == null ? new Kind("pytorch-zip", null) : new Kind(null, what);
            } catch (IOException e) {
                throw TrainproofException.badInput(path, "cannot read: " + e.getMessage());
            }
        }
        if (TorchReader.isLegacy(java.util.Arrays.copyOf(head, n))) return new Kind("pytorch-legacy", null);
        if (GgufReader.isGguf(java.util.Arrays.copyOf(head, n))) return new Kind("gguf", null);
        if (n >= 8) {
            long hl = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            int i = 8;
            while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r')) i++;
            if (hl > 0 && hl <= size - 8 && i < n && head[i] == '{') return new Kind("safetensors", null);
        }
        if (new String(head, 0, n, java.nio.charset.StandardCharsets.US_ASCII).startsWith("version https://git-lfs")) {
            return new Kind("safetensors", null); // its reader names the LFS stub (ContentAbsent)
        }
        if (name.endsWith(".safetensors")) return new Kind("safetensors", null); // its reader names the broken rule
        if ((head[0] & 0xff) == 0x80 && n > 1 && head[1] >= 2 && head[1] <= 5) {
            return new Kind(null, "a bare pickle (not a torch.save checkpoint)");
        }
        return new Kind(null, "not a checkpoint (neither safetensors, a torch.save zip or legacy file, GGUF, nor a DCP folder)");
    }

    /**
     * Opens a checkpoint of any supported container. Bad or unknown input is a bad-input error (exit 3)
     * naming the file and what it is; a pickle naming a global outside the allowlist is a
     * {@link Pickle.PickleRefusedException} (exit 3) naming the global.
     */
    public static CheckpointSource open(Path path) {
        Kind k = kind(path);
        if (k.container == null) throw TrainproofException.badInput(path, k.description);
        switch (k.container) {
            case "safetensors":
                return openSafetensors(path);
            case "dcp":
                return DcpReader.open(path);
            default:
                break;
        }
        Path abs = path.toAbsolutePath().normalize();
        String where = abs.toString();
        FileChannel ch = null;
        boolean ok = false;
        try {
            ch = FileChannel.open(abs, StandardOpenOption.READ);
            CheckpointSource src;
            String fname = abs.getFileName().toString();
            if (k.container.equals("gguf")) {
                GgufReader.Parsed g = GgufReader.read(ch, where);
                Map<String, String> meta = new java.util.TreeMap<>();
                g.metadata().forEach((key, v) -> {
                    if (key.startsWith("general.") && !(v instanceof String s && s.length() > 200)) meta.put(key, String.valueOf(v));
                });
                meta.put("gguf.version", Integer.toString(g.version()));
                List<SourceFile> files = List.of(new SourceFile(fname, abs, ch, ch.size(), g.header(), meta, true));
                src = new CheckpointSource("gguf", abs.getParent(), files, g.tensors(), Map.of());
            } else {
                TorchReader.Payload p = k.container.equals("pytorch-legacy")
                        ? TorchReader.readLegacy(ch, where)
                        : TorchReader.readZip(ch, 0, ch.size(), where);
                Map<String, Object> info = new LinkedHashMap<>();
                if (p.root() instanceof Map<?, ?> top) {
                    for (String key : INFO_KEYS) {
                        Object v = top.get(key);
                        if (v instanceof Long || v instanceof Double || v instanceof String) info.put(key, v);
                    }
                }
                String format = k.container.equals("pytorch-zip")
                        ? (info.containsKey("pytorch-lightning_version")
                                || (info.containsKey("global_step") && p.root() instanceof Map<?, ?> m && m.containsKey("state_dict"))
                                ? "lightning" : "pytorch-zip")
                        : k.container;
                List<SourceTensor> tensors = new ArrayList<>();
                for (TorchReader.Named t : p.tensors()) {
                    tensors.add(new SourceTensor(t.name(), t.dtype(), t.dtypeName(), t.shape(), t.count(), t.byteLength(), 0,
                            t.begin(), t.end(), t.bytes()));
                }
                Map<String, String> meta = p.archiveName() == null ? Map.of() : Map.of("archive", p.archiveName());
                List<SourceFile> files = List.of(new SourceFile(fname, abs, ch, ch.size(), p.pickleDigest(), meta, true));
                src = new CheckpointSource(format, abs.getParent(), files, tensors, info);
            }
            ok = true;
            return src;
        } catch (IOException e) {
            throw TrainproofException.badInput(where, "cannot read: " + e.getMessage());
        } finally {
            if (!ok && ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
        }
    }

    /** A safetensors file, sharded index or directory (validated as strictly as before: {@link SafetensorsReader}). */
    static CheckpointSource openSafetensors(Path path) {
        CheckpointFiles files = CheckpointFiles.of(path);
        List<SourceFile> sf = new ArrayList<>();
        List<SourceTensor> tensors = new ArrayList<>();
        boolean ok = false;
        try {
            for (int i = 0; i < files.files().size(); i++) {
                String f = files.files().get(i);
                Path p = files.resolve(f);
                SafetensorsHeader h = SafetensorsReader.readHeader(p, p.toString());
                files.checkShard(f, h);
                FileChannel ch;
                try {
                    ch = FileChannel.open(p, StandardOpenOption.READ);
                    if (ch.size() != h.fileSize()) {
                        ch.close();
                        throw new SafetensorsFormatException(p, SafetensorsRule.UNREADABLE, "file changed size while reading");
                    }
                } catch (IOException e) {
                    throw new SafetensorsFormatException(p, SafetensorsRule.UNREADABLE, "cannot open: " + e.getMessage(), e);
                }
                sf.add(new SourceFile(f, p, ch, h.fileSize(), h.headerDigest(), h.metadata(), false));
                Map<String, TensorSlice> slices = ShardSlices.of(h, p.toString());
                for (TensorEntry e : h.tensors()) {
                    int es = e.dtype().byteAligned() ? e.dtype().bytes() : 1;
                    tensors.add(new SourceTensor(e.name(), e.dtype(), e.dtype().name(), e.shape(), e.count(), e.byteLength(), i,
                            e.begin(), e.end(), TensorBytes.contiguous(ch, h.dataStart() + e.begin(), es, false, p.toString()),
                            slices.get(e.name())));
                }
            }
            ok = true;
        } finally {
            if (!ok) for (SourceFile f : sf) {
                try {
                    f.channel().close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
        }
        return new CheckpointSource("safetensors", files.root(), sf, tensors, Map.of());
    }
}
