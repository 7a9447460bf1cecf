package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The manifest of one checkpoint (one safetensors file or a sharded set): {@code format}
 * ("safetensors"), {@code root} (for one file, that file's root; for shards, the RFC 9162 root over
 * the shard roots in shard-name order), the files, and every tensor. This is the body of a ledger
 * {@code checkpoint} entry (under "checkpoint") and the output of {@code inspect --json}; schema in
 * {@code schemas/checkpoint-manifest.schema.json}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointManifest(String format, String root, List<FileManifest> files, List<TensorManifest> tensors) {
    public CheckpointManifest {
        files = List.copyOf(files);
        tensors = List.copyOf(tensors);
    }

    public java.util.Optional<TensorManifest> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
