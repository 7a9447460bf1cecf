package org.trainproof.checkpoint;

import java.util.List;
import java.util.Map;
import org.trainproof.bytes.Digest;

/**
 * A validated safetensors header: header length N, where the data buffer starts (8 + N), the file
 * length, the {@code __metadata__} map (empty when absent or null), the tensors in offset order, and
 * the SHA-256 of the first 8 + N bytes (length prefix and header JSON with its padding), so that
 * header digest plus tensor digests cover every byte of the file.
 */
public record SafetensorsHeader(long headerLength, long fileSize, Map<String, String> metadata,
        List<TensorEntry> tensors, Digest headerDigest) {
    public SafetensorsHeader {
        metadata = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    public long dataStart() {
        return 8 + headerLength;
    }
}
