package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An open checkpoint of any container (see {@link CheckpointReaders#open}): its container name
 * ({@code format}: safetensors, pytorch-zip, pytorch-legacy, lightning, dcp, gguf), the files with open
 * channels, every tensor with its logical bytes, and trainer facts found in the container
 * ({@code info}: Lightning {@code global_step}/{@code epoch}, a top-level {@code epoch}, {@code iteration}, ...).
 * Closing closes the channels.
 *
 * <p>{@code rootRule}: how the checkpoint root is made from the file roots — {@code FILES} (one file: its
 * root; several: RFC 9162 root over the file roots in order), or {@code DCP} (see {@link DcpReader}).
 */
public final class CheckpointSource implements AutoCloseable {
    private final String format;
    private final Path root;
    private final List<SourceFile> files;
    private final List<SourceTensor> tensors;
    private final Map<String, Object> info;

    public CheckpointSource(String format, Path root, List<SourceFile> files, List<SourceTensor> tensors,
            Map<String, Object> info) {
        this.format = format;
        this.root = root;
        this.files = List.copyOf(files);
        this.tensors = List.copyOf(tensors);
        this.info = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(info));
    }

    public String format() {
        return format;
    }

    public Path root() {
        return root;
    }

    public List<SourceFile> files() {
        return files;
    }

    public List<SourceTensor> tensors() {
        return tensors;
    }

    public Map<String, Object> info() {
        return info;
    }

    public List<String> names() {
        List<String> n = new ArrayList<>();
        for (SourceTensor t : tensors) n.add(t.name());
        return n;
    }

    public java.util.Optional<SourceTensor> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    @Override
    public void close() {
        for (SourceFile f : files) {
            try {
                if (f.channel() != null) f.channel().close();
            } catch (IOException ignored) {
                // read-only channel: nothing to lose
            }
        }
    }
}
