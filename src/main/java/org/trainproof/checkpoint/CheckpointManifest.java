package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The manifest of one checkpoint of any container: {@code format} (safetensors, pytorch-zip,
 * pytorch-legacy, lightning, dcp, gguf), {@code root} (for one file, that file's root; for several
 * files — safetensors shards, DCP — the RFC 9162 root over the file roots in name order), the files,
 * every tensor (digest over its logical C-order little-endian bytes, whatever the container), and
 * {@code info}: trainer facts found in the container (Lightning {@code global_step}, {@code epoch}). This is the body of a ledger
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
        Integer rank, Integer worldSize, String host, java.util.Map<String, Object> info) {
    public CheckpointManifest {
        files = List.copyOf(files);
        tensors = List.copyOf(tensors);
        info = info == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(info));
    }

    public CheckpointManifest(String format, String root, List<FileManifest> files, List<TensorManifest> tensors,
            Integer rank, Integer worldSize, String host) {
        this(format, root, files, tensors, rank, worldSize, host, null);
    }

    /** A manifest that is not a shard manifest (no rank, world size or host). */
    public CheckpointManifest(String format, String root, List<FileManifest> files, List<TensorManifest> tensors) {
        this(format, root, files, tensors, null, null, null, null);
    }

    /** This manifest stamped as rank {@code rank} of {@code worldSize} on {@code host} (a shard manifest). */
    public CheckpointManifest asShard(int rank, int worldSize, String host) {
        return new CheckpointManifest(format, root, files, tensors, rank, worldSize, host, info);
    }

    /** True for a manifest folded from shard manifests ({@link ShardFold}): it states a world size but no rank. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean folded() {
        return worldSize != null && rank == null;
    }

    public java.util.Optional<TensorManifest> tensor(String name) {
        for (TensorManifest t : tensors) { // a loop, not a stream: verify calls this ~10^5 times
            if (t.name().equals(name)) return java.util.Optional.of(t);
        }
        return java.util.Optional.empty();
    }
}
