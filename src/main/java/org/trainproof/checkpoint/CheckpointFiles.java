package org.trainproof.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The files of one checkpoint: a single safetensors file, or the shards named by a
 * {@code *.safetensors.index.json} (formats.md §1.6). A directory is recognised: it must hold exactly
 * one index, or else {@code model.safetensors}, or else exactly one {@code *.safetensors} file.
 * Shards are listed in name order; {@code weightMap} is empty for a single file.
 *
 * <p>Index rules: duplicate keys rejected; each shard name must be a plain file name in the index's
 * directory (no separators, no "..", not absolute: {@link SafetensorsRule#PATH_ESCAPE}); every shard
 * must exist. The per-shard key sets are checked against the shard headers by {@link #checkShard}.
 */
public record CheckpointFiles(Path root, List<String> files, Map<String, String> weightMap) {
    public static final long MAX_INDEX_SIZE = 100_000_000L;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxDocumentLength(MAX_INDEX_SIZE)
                    .build())
            .build();

    public CheckpointFiles {
        files = List.copyOf(files);
        weightMap = java.util.Collections.unmodifiableMap(new TreeMap<>(weightMap));
    }

    public Path resolve(String file) {
        return root.resolve(file);
    }

    /** Resolves a file, a directory or an index file to the checkpoint's files. */
    public static CheckpointFiles of(Path path) {
        if (Files.isDirectory(path)) {
            List<Path> indexes = new ArrayList<>();
            List<Path> singles = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    if (n.endsWith(".safetensors.index.json")) indexes.add(p);
                    else if (n.endsWith(".safetensors") && Files.isRegularFile(p)) singles.add(p);
                }
            } catch (IOException e) {
                throw new SafetensorsFormatException(path, SafetensorsRule.UNREADABLE, "cannot list directory: " + e.getMessage(), e);
            }
            if (indexes.size() == 1) return ofIndex(indexes.get(0));
            if (indexes.size() > 1) {
                throw new SafetensorsFormatException(path, SafetensorsRule.INVALID_INDEX,
                        "directory holds " + indexes.size() + " *.safetensors.index.json files; name one");
            }
            Path model = path.resolve("model.safetensors");
            if (Files.isRegularFile(model)) return single(model);
            if (singles.size() == 1) return single(singles.get(0));
            throw new SafetensorsFormatException(path, SafetensorsRule.UNREADABLE, singles.isEmpty()
                    ? "directory holds no safetensors checkpoint"
                    : "directory holds " + singles.size() + " safetensors files and no index; name one");
        }
        if (path.getFileName() != null && path.getFileName().toString().endsWith(".index.json")) return ofIndex(path);
        if (!Files.exists(path)) throw new SafetensorsFormatException(path, SafetensorsRule.UNREADABLE, "no such file");
        return single(path);
    }

    private static CheckpointFiles single(Path file) {
        Path abs = file.toAbsolutePath();
        Path parent = abs.getParent();
        return new CheckpointFiles(parent, List.of(abs.getFileName().toString()), Map.of());
    }

    static CheckpointFiles ofIndex(Path index) {
        Path dir = index.toAbsolutePath().getParent();
        Map<String, String> weightMap = new TreeMap<>();
        try {
            long size = Files.size(index);
            if (size > MAX_INDEX_SIZE) {
                throw new SafetensorsFormatException(index, SafetensorsRule.INVALID_INDEX,
                        "index is " + size + " bytes, above the limit " + MAX_INDEX_SIZE);
            }
            try (InputStream in = Files.newInputStream(index); JsonParser p = JSON.createParser(in)) {
                if (p.nextToken() != JsonToken.START_OBJECT) throw invalid(index, "index is not a JSON object");
                boolean sawMap = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonToken v = p.nextToken();
                    if (key.equals("weight_map")) {
                        sawMap = true;
                        if (v != JsonToken.START_OBJECT) throw invalid(index, "weight_map is not an object");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String tensor = p.currentName();
                            if (p.nextToken() != JsonToken.VALUE_STRING) {
                                throw invalid(index, "weight_map entry of tensor '" + tensor + "' is not a string");
                            }
                            String shard = p.getText();
                            checkShardName(index, tensor, shard);
                            weightMap.put(tensor, shard);
                        }
                    } else {
                        p.skipChildren(); // metadata (total_size, ...) and unknown keys are ignored
                    }
                }
                if (p.nextToken() != null) throw invalid(index, "content after the index JSON object");
                if (!sawMap) throw invalid(index, "index has no weight_map");
            }
        } catch (JsonProcessingException e) {
            throw invalid(index, "index is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SafetensorsFormatException(index, SafetensorsRule.UNREADABLE, "cannot read: " + e.getMessage(), e);
        }
        TreeSet<String> shards = new TreeSet<>(weightMap.values());
        for (String s : shards) {
            if (!Files.isRegularFile(dir.resolve(s))) {
                throw invalid(index, "shard '" + s + "' named in weight_map does not exist");
            }
        }
        return new CheckpointFiles(dir, new ArrayList<>(shards), weightMap);
    }

    private static void checkShardName(Path index, String tensor, String shard) {
        if (shard.isEmpty() || shard.equals(".") || shard.equals("..") || shard.contains("/") || shard.contains("\\")
                || shard.indexOf('\0') >= 0 || shard.contains(":") || Path.of(shard).isAbsolute()) {
            throw new SafetensorsFormatException(index, SafetensorsRule.PATH_ESCAPE,
                    "tensor '" + tensor + "' maps to shard '" + shard
                            + "', which is not a plain file name in the index's directory");
        }
    }

    private static SafetensorsFormatException invalid(Path index, String what) {
        return new SafetensorsFormatException(index, SafetensorsRule.INVALID_INDEX, what);
    }

    /** True for a sharded checkpoint (files came from an index). */
    public boolean sharded() {
        return !weightMap.isEmpty();
    }

    /**
     * For a sharded checkpoint: the tensors in {@code shard}'s header must be exactly the index entries
     * naming that shard (formats.md §1.6).
     */
    public void checkShard(String shard, SafetensorsHeader header) {
        if (!sharded()) return;
        Set<String> inHeader = new HashSet<>();
        for (TensorEntry t : header.tensors()) inHeader.add(t.name());
        TreeSet<String> expected = new TreeSet<>();
        weightMap.forEach((t, s) -> {
            if (s.equals(shard)) expected.add(t);
        });
        for (String t : new TreeSet<>(inHeader)) {
            if (!expected.contains(t)) {
                throw new SafetensorsFormatException(root.resolve(shard), SafetensorsRule.INVALID_INDEX,
                        "tensor '" + t + "' is in the shard but the index maps it "
                                + (weightMap.containsKey(t) ? "to '" + weightMap.get(t) + "'" : "nowhere"));
            }
        }
        for (String t : expected) {
            if (!inHeader.contains(t)) {
                throw new SafetensorsFormatException(root.resolve(shard), SafetensorsRule.INVALID_INDEX,
                        "the index maps tensor '" + t + "' to this shard but its header lacks it");
            }
        }
    }
}
