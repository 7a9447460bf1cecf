package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * One checkpoint file: its path relative to the checkpoint root, size, SHA-256 of its header bytes,
 * and {@code root}: the RFC 9162 Merkle root over [header digest, tensor digests in offset order]
 * (leaves are the 32-byte digests), so a changed byte is localised to the header or one tensor.
 * {@code sha256} of the whole file only when asked for (it equals {@code sha256sum}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileManifest(String path, long size, String headerSha256, String root, String sha256,
        Map<String, String> metadata, Integer rank, String host) {
    public FileManifest(String path, long size, String headerSha256, String root, String sha256, Map<String, String> metadata) {
        this(path, size, headerSha256, root, sha256, metadata, null, null);
    }

    /** This file as written by {@code rank} on {@code host} (a folded manifest's file list). */
    public FileManifest onRank(int rank, String host) {
        return new FileManifest(path, size, headerSha256, root, sha256, metadata, rank, host);
    }
}
