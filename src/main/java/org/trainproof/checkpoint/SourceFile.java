package org.trainproof.checkpoint;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import org.trainproof.bytes.Digest;

/**
 * One file of an open checkpoint: its name relative to the checkpoint root, open channel, size, the
 * SHA-256 of its container header ({@code header}: safetensors length prefix + JSON; torch
 * {@code data.pkl}; GGUF bytes before the tensor data; DCP {@code .metadata} whole), metadata strings,
 * and whether its Merkle leaf 0 is the whole-file SHA-256 ({@code leafIsFileSha}: every container but
 * safetensors, whose header plus tensors already cover every byte).
 */
public record SourceFile(String path, Path abs, FileChannel channel, long size, Digest header,
        Map<String, String> metadata, boolean leafIsFileSha) {
    public SourceFile {
        metadata = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(metadata));
    }
}
