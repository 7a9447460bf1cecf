package org.trainproof.ledger;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.trainproof.TrainproofException;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.ShardFold;

/**
 * {@code record --shard-manifest FILE...}: reads the shard manifests the ranks wrote ({@code inspect
 * --json --rank R --world-size W}), folds them ({@link ShardFold}) and returns the "checkpoint" part of
 * the entry: one manifest named {@code name} (the checkpoint's directory relative to the artifacts
 * directory an auditor gives {@code verify --artifacts}; the shard file paths are relative to it).
 */
public final class ShardManifests {
    /** A shard manifest is digests and small summaries: 1 GB is far above any real one. */
    public static final long MAX_BYTES = 1L << 30;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64)
                .maxStringLength(Integer.MAX_VALUE).build());
    }

    private ShardManifests() {}

    public static CheckpointManifest read(Path p) {
        try {
            if (Files.size(p) > MAX_BYTES) throw TrainproofException.badInput(p, "larger than " + MAX_BYTES + " bytes; not a shard manifest");
            try (InputStream in = Files.newInputStream(p)) {
                CheckpointManifest m = JSON.readValue(in, CheckpointManifest.class);
                if (m == null || m.root() == null || m.format() == null) throw TrainproofException.badInput(p, "not a checkpoint manifest (no format/root)");
                return m;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw TrainproofException.badInput(p, "no such file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw TrainproofException.badInput(p, "not a checkpoint manifest: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw TrainproofException.badInput(p, "cannot read: " + e.getMessage());
        } catch (RuntimeException e) {
            if (e instanceof TrainproofException) throw e;
            throw TrainproofException.badInput(p, "not a checkpoint manifest: " + e.getMessage());
        }
    }

    /** Reads and folds the manifests; the entry's "checkpoint" object. */
    public static ObjectNode body(List<Path> manifests, String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || List.of(name.split("/")).contains("..")) {
            throw TrainproofException.usage("--name must be a relative '/'-separated path without '..': " + name);
        }
        List<ShardFold.Shard> shards = new ArrayList<>();
        for (Path p : manifests) shards.add(new ShardFold.Shard(p.toString(), read(p)));
        CheckpointManifest folded = ShardFold.fold(shards);
        ObjectNode cp = JsonNodeFactory.instance.objectNode();
        ObjectNode m = cp.putArray("manifests").addObject();
        m.put("name", name);
        m.set("manifest", JSON.valueToTree(folded));
        cp.putArray("files");
        return cp;
    }
}
