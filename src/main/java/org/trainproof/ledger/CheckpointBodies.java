package org.trainproof.ledger;

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

/**
 * The "checkpoint" part of a checkpoint entry. Until the per-tensor manifest lands, it records per
 * file its name (relative to the given path's parent, '/'-separated), byte size and SHA-256:
 * {@code {"files": [{"name": ..., "size": ..., "sha256": ...}]}}. One function, so the manifest can
 * replace it.
 */
public final class CheckpointBodies {
    private CheckpointBodies() {}

    /** One file as a checkpoint entry states it. */
    public record FileDigest(String name, long size, Digest sha256) {}

    /** Hashes each path (a file, or a directory taken recursively, in name order). */
    public static ObjectNode of(List<Path> paths) {
        ArrayNode files = JsonNodeFactory.instance.arrayNode();
        for (Path p : paths) {
            Path base = p.toAbsolutePath().normalize().getParent();
            for (Path f : expand(p)) {
                Path abs = f.toAbsolutePath().normalize();
                String name = base == null ? abs.getFileName().toString() : base.relativize(abs).toString().replace('\\', '/');
                long[] size = new long[1];
                Digest d = sha256(f, size);
                ObjectNode o = files.addObject();
                o.put("name", name);
                o.put("size", size[0]);
                o.put("sha256", d.toString());
            }
        }
        ObjectNode cp = JsonNodeFactory.instance.objectNode();
        cp.set("files", files);
        return cp;
    }

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
