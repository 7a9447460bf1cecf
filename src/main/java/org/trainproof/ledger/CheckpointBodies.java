package org.trainproof.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.FileManifest;
import org.trainproof.checkpoint.ManifestOptions;
import org.trainproof.checkpoint.Manifests;
import org.trainproof.checkpoint.TensorManifest;

/**
 * The "checkpoint" part of a checkpoint entry:
 * {@code {"manifests": [{"name": ..., "manifest": <CheckpointManifest>}], "files": [{"name": ..., "size": ..., "sha256": ...}]}}.
 * Each given path that is a safetensors checkpoint (a file, an index, or a directory holding one)
 * gets its per-tensor manifest ({@link Manifests}; its root covers every byte of every shard, so it
 * identifies the files as a whole-file digest would, and localises a change to one tensor). Every
 * other file (optimizer state, a directory's non-safetensors files) gets its plain SHA-256. Names are
 * relative to the given path's parent, '/'-separated.
 */
public final class CheckpointBodies {
    private CheckpointBodies() {}

    /** One file as a checkpoint entry states it. */
    public record FileDigest(String name, long size, Digest sha256) {}

    /** A checkpoint manifest as an entry states it, under the name it was recorded with. */
    public record NamedManifest(String name, CheckpointManifest manifest) {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Builds the body for the given paths (files or directories, directories taken recursively, in name order). */
    public static ObjectNode of(List<Path> paths) {
        return of(paths, ManifestOptions.defaults());
    }

    public static ObjectNode of(List<Path> paths, ManifestOptions options) {
        return of(paths, options, null);
    }

    /** As {@link #of(List, ManifestOptions)}, reporting hashed tensor bytes to {@code progress} (thread-safe; may be null). */
    public static ObjectNode of(List<Path> paths, ManifestOptions options, java.util.function.LongConsumer progress) {
        return of(paths, options, progress, null);
    }

    /**
     * As {@link #of(List, ManifestOptions, java.util.function.LongConsumer)}, with names relative to
     * {@code nameBase} for paths inside it ({@code record --base DIR}); null, or a path outside it: relative
     * to the path's parent.
     */
    public static ObjectNode of(List<Path> paths, ManifestOptions options, java.util.function.LongConsumer progress, Path nameBase) {
        Path fixed = nameBase == null ? null : nameBase.toAbsolutePath().normalize();
        ArrayNode files = JsonNodeFactory.instance.arrayNode();
        ArrayNode manifests = JsonNodeFactory.instance.arrayNode();
        for (Path p : paths) {
            Path base = fixed != null && p.toAbsolutePath().normalize().startsWith(fixed) ? fixed : p.toAbsolutePath().normalize().getParent();
            java.util.Set<Path> covered = new java.util.HashSet<>();
            int before = files.size() + manifests.size();
            CheckpointManifest man = isCheckpoint(p) ? manifestOrSkip(p, options, progress) : null;
            if (man != null) {
                Path root = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
                for (var fm : man.files()) covered.add(root.resolve(fm.path()).toAbsolutePath().normalize());
                // A safetensors index itself (tensor → shard map) stays in "files" with its SHA-256.
                ObjectNode m = manifests.addObject();
                m.put("name", relativeName(base, p));
                m.set("manifest", JSON.valueToTree(man));
            }
            for (Path f : expand(p)) {
                Path abs = f.toAbsolutePath().normalize();
                if (covered.contains(abs)) continue;
                long[] size = new long[1];
                Digest d = sha256(f, size);
                ObjectNode o = files.addObject();
                o.put("name", relativeName(base, f));
                o.put("size", size[0]);
                o.put("sha256", d.toString());
            }
            if (files.size() + manifests.size() == before) {
                throw TrainproofException.badInput(p, "holds no files: nothing to record as a checkpoint");
            }
        }
        ObjectNode cp = JsonNodeFactory.instance.objectNode();
        if (!manifests.isEmpty()) cp.set("manifests", manifests);
        cp.set("files", files);
        return cp;
    }

    private static String relativeName(Path base, Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return base == null ? abs.getFileName().toString() : base.relativize(abs).toString().replace('\\', '/');
    }

    /** True when the path is a safetensors file or index, or a directory holding a safetensors checkpoint. */
    /**
     * The manifest of {@code p}; null for a Hugging Face Trainer side file ({@code rng_state*.pth},
     * {@code training_args.bin}) whose pickle names a global outside the allowlist (numpy RNG state,
     * TrainingArguments classes): it is then hashed as a plain file, its pickle never interpreted further.
     * Anywhere else a refused global is an error (exit 3).
     */
    static CheckpointManifest manifestOrSkip(Path p, ManifestOptions options, java.util.function.LongConsumer progress) {
        try {
            return Manifests.of(p, options, progress);
        } catch (org.trainproof.checkpoint.Pickle.PickleRefusedException e) {
            if (isTrainerSideFile(p)) return null;
            throw e;
        }
    }

    /** HF Trainer files that hold no weights: RNG states and pickled TrainingArguments. */
    public static boolean isTrainerSideFile(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString();
        return n.matches("rng_state(_\\d+)?\\.pth") || n.equals("training_args.bin");
    }

    /**
     * Whether {@code p} is a checkpoint of any container trainproof reads, by content
     * ({@link org.trainproof.checkpoint.CheckpointReaders#isCheckpoint}): safetensors file, index or
     * directory; torch.save zip or legacy file; Lightning .ckpt; DCP folder; GGUF.
     */
    public static boolean isCheckpoint(Path p) {
        return isSafetensors(p) || org.trainproof.checkpoint.CheckpointReaders.isCheckpoint(p);
    }

    public static boolean isSafetensors(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString();
        if (Files.isRegularFile(p)) return n.endsWith(".safetensors") || n.endsWith(".safetensors.index.json");
        if (!Files.isDirectory(p)) return false;
        try (Stream<Path> s = Files.list(p)) {
            return s.anyMatch(x -> {
                String m = x.getFileName().toString();
                return m.endsWith(".safetensors") || m.endsWith(".safetensors.index.json");
            });
        } catch (IOException e) {
            throw TrainproofException.badInput(p, "cannot list: " + e.getMessage());
        }
    }

    /**
     * Every file a checkpoint body covers, by the name it was recorded with: the plain files, and each
     * manifest's shard files (under the manifest's name when that is a directory).
     */
    public static java.util.SortedSet<String> recordedFileNames(ObjectNode checkpoint) {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        for (FileDigest f : files(checkpoint)) names.add(f.name());
        for (NamedManifest m : manifests(checkpoint)) {
            if (m.manifest() == null) continue;
            for (FileManifest fm : m.manifest().files()) {
                names.add(m.name().equals(fm.path()) || m.name().endsWith("/" + fm.path()) ? m.name() : m.name() + "/" + fm.path());
            }
        }
        return names;
    }

    /** The manifests a checkpoint body states (empty when none, or of another shape: the audit reports that). */
    /** The manifests of a checkpoint entry's body (read without copying the body). */
    public static List<NamedManifest> manifests(LedgerEntry e) {
        com.fasterxml.jackson.databind.JsonNode cp = e.bodyView().get("checkpoint");
        return manifests(cp instanceof ObjectNode o ? o : null);
    }

    public static List<NamedManifest> manifests(ObjectNode checkpoint) {
        List<NamedManifest> out = new ArrayList<>();
        if (checkpoint == null || !checkpoint.path("manifests").isArray()) return out;
        for (var m : checkpoint.path("manifests")) {
            try {
                out.add(new NamedManifest(m.path("name").asText(), JSON.treeToValue(m.path("manifest"), CheckpointManifest.class)));
            } catch (IOException | IllegalArgumentException e) {
                out.add(new NamedManifest(m.path("name").asText(), null));
            }
        }
        return out;
    }

    /**
     * Compares the manifest a ledger states with the one computed from the file(s) now; empty when the
     * roots agree. Otherwise one line per difference, naming the tensor (or header, or file).
     */
    public static List<Mismatch> compare(CheckpointManifest stated, CheckpointManifest actual) {
        List<Mismatch> out = new ArrayList<>();
        if (stated.root() != null && stated.root().equals(actual.root())) return out;
        java.util.Map<String, TensorManifest> now = new java.util.HashMap<>();
        for (TensorManifest t : actual.tensors()) now.put(t.name(), t);
        for (TensorManifest t : stated.tensors()) {
            TensorManifest a = now.remove(t.name());
            if (a == null) {
                out.add(new Mismatch(t.name(), "tensor missing from the file", t.sha256(), null));
            } else if (!t.sha256().equals(a.sha256())) {
                out.add(new Mismatch(t.name(), "tensor bytes changed", t.sha256(), a.sha256()));
            } else if (!t.dtype().equals(a.dtype()) || !t.shape().equals(a.shape())) {
                out.add(new Mismatch(t.name(), "tensor dtype/shape changed", t.dtype() + t.shape(), a.dtype() + a.shape()));
            }
        }
        for (String extra : new java.util.TreeSet<>(now.keySet())) {
            out.add(new Mismatch(extra, "tensor not in the recorded checkpoint", null, now.get(extra).sha256()));
        }
        java.util.Map<String, FileManifest> files = new java.util.HashMap<>();
        for (FileManifest f : actual.files()) files.put(f.path(), f);
        for (FileManifest f : stated.files()) {
            FileManifest a = files.get(f.path());
            if (a != null && !java.util.Objects.equals(f.headerSha256(), a.headerSha256())) {
                out.add(new Mismatch(null, "header of " + f.path() + " changed", f.headerSha256(), a.headerSha256()));
            }
        }
        if (out.isEmpty()) out.add(new Mismatch(null, "checkpoint root differs", stated.root(), actual.root()));
        return out;
    }

    /** One difference between a recorded manifest and the file now: tensor null for the header or file. */
    public record Mismatch(String tensor, String what, String expected, String actual) {}

    /** The files a checkpoint body states (empty when it names none or has another shape). */
    public static List<FileDigest> files(ObjectNode checkpoint) {
        List<FileDigest> out = new ArrayList<>();
        if (checkpoint == null || !checkpoint.path("files").isArray()) return out;
        for (var f : checkpoint.path("files")) {
            try {
                out.add(new FileDigest(f.path("name").asText(), f.path("size").asLong(-1), Digest.parse(f.path("sha256").asText())));
            } catch (IllegalArgumentException e) {
                // A malformed file record is reported by the audit through the digest mismatch.
                out.add(new FileDigest(f.path("name").asText(), f.path("size").asLong(-1), null));
            }
        }
        return out;
    }

    private static List<Path> expand(Path p) {
        if (Files.isRegularFile(p)) return List.of(p);
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                return s.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException e) {
                throw TrainproofException.badInput(p, "cannot list: " + e.getMessage());
            }
        }
        throw TrainproofException.badInput(p, "no such checkpoint file or directory");
    }

    /** Streams the file once through SHA-256; size[0] receives the byte count. */
    public static Digest sha256(Path f, long[] size) {
        MessageDigest md = Digest.newSha256();
        byte[] buf = new byte[1 << 20];
        long n = 0;
        try (InputStream in = Files.newInputStream(f)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
                n += r;
            }
        } catch (IOException e) {
            throw TrainproofException.badInput(f, "cannot read: " + e.getMessage());
        }
        size[0] = n;
        return Digest.of(md.digest());
    }
}
