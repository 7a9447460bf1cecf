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
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointManifest(String format, String root, List<FileManifest> files, List<TensorManifest> tensors,
        java.util.Map<String, Object> info) {
    public CheckpointManifest {
        files = List.copyOf(files);
        tensors = List.copyOf(tensors);
        info = info == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(info));
    }

    public CheckpointManifest(String format, String root, List<FileManifest> files, List<TensorManifest> tensors) {
        this(format, root, files, tensors, null);
    }

    public java.util.Optional<TensorManifest> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
