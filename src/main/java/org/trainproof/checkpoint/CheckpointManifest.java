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
 *
 * <p>Distributed checkpoints (docs/distributed.md): a shard manifest ({@code inspect --rank}) adds
 * {@code rank}, {@code world_size} and {@code host}; a folded manifest ({@code record --shard-manifest})
 * states {@code world_size} only, and each file its rank and host.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointManifest(String format, String root, List<FileManifest> files, List<TensorManifest> tensors,
        Integer rank, Integer worldSize, String host) {
    public CheckpointManifest {
        files = List.copyOf(files);
        tensors = List.copyOf(tensors);
    }

    /** A manifest that is not a shard manifest (no rank, world size or host). */
    public CheckpointManifest(String format, String root, List<FileManifest> files, List<TensorManifest> tensors) {
        this(format, root, files, tensors, null, null, null);
    }

    /** This manifest stamped as rank {@code rank} of {@code worldSize} on {@code host} (a shard manifest). */
    public CheckpointManifest asShard(int rank, int worldSize, String host) {
        return new CheckpointManifest(format, root, files, tensors, rank, worldSize, host);
    }

    /** True for a manifest folded from shard manifests ({@link ShardFold}): it states a world size but no rank. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean folded() {
        return worldSize != null && rank == null;
    }

    public java.util.Optional<TensorManifest> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
