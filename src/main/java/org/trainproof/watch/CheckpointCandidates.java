package org.trainproof.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds checkpoints in a run directory and decides when one is complete. A checkpoint is a
 * directory {@code checkpoint-N} (Hugging Face), {@code iter_N} (Megatron-LM), {@code global_stepN}
 * (DeepSpeed), {@code step-N}/{@code step_N}, or a top-level weights file ({@code .safetensors},
 * {@code .pt}, {@code .bin}) whose name carries the step ({@code step-N.safetensors},
 * {@code model_step1000.pt}) or, for safetensors, whose {@code __metadata__} has a {@code step}.
 *
 * <p>Complete means: no temporary file inside ({@code *.tmp}, {@code *.temp}, {@code *.partial},
 * {@code *.incomplete}, {@code *.lock}, names starting with {@code tmp} or {@code .}); when shard
 * files ({@code *-0000k-of-0000n.*}) are present, their index ({@code *.index.json}) is present and
 * every shard it names exists; for Megatron, {@code latest_checkpointed_iteration.txt} (when the run
 * has one) has reached N; and the names, sizes and modification times of all files are the same in
 * two consecutive polls (the caller compares {@link #snapshot}s).
 */
final class CheckpointCandidates {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DIR = Pattern.compile("(?:checkpoint-|iter_|global_step|step[-_]?)(\\d+)");
    private static final Pattern FILE_STEP = Pattern.compile("(?:^|[^a-z])(?:step|iter|checkpoint|ckpt)[-_]?(\\d+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern WEIGHTS = Pattern.compile(".*\\.(safetensors|pt|pth|bin)");
    private static final Pattern SHARD = Pattern.compile(".*-(\\d{5})-of-(\\d{5})\\.[a-z]+");
    /** Safetensors headers larger than this are not peeked at for a step (formats.md §1: the header limit is 100 MB). */
    private static final long MAX_HEADER = 100L << 20;

    private CheckpointCandidates() {}

    /** A checkpoint found: its path, its name in the run directory, and its step. */
    record Candidate(Path path, String name, long step) {}

    /** One file's name (relative to the candidate), size and modification time. */
    record FileState(String name, long size, long mtime) {}

    /** The checkpoints directly inside {@code runDir}, by step then name. */
    static List<Candidate> find(Path runDir) throws IOException {
        List<Candidate> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(runDir)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p)) {
                    Matcher m = DIR.matcher(name);
                    if (m.matches()) out.add(new Candidate(p, name, Long.parseLong(m.group(1))));
                } else if (Files.isRegularFile(p) && WEIGHTS.matcher(name).matches() && !isTemp(name)) {
                    Matcher m = FILE_STEP.matcher(name);
                    if (m.find()) {
                        out.add(new Candidate(p, name, Long.parseLong(m.group(1))));
                    } else if (name.endsWith(".safetensors")) {
                        metadataStep(p).ifPresent(step -> out.add(new Candidate(p, name, step)));
                    }
                }
            }
        }
        out.sort(Comparator.comparingLong(Candidate::step).thenComparing(Candidate::name));
        return out;
    }

    /** True for names a writer uses while a file is not finished. */
    static boolean isTemp(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".tmp") || n.endsWith(".temp") || n.endsWith(".partial") || n.endsWith(".incomplete") || n.endsWith(".lock")
                || n.startsWith("tmp") || n.startsWith(".");
    }

    /**
     * The {@code step} in a safetensors file's {@code __metadata__}, if the header is readable and
     * has one; only the 8-byte length and the header JSON are read (the tensor data is not).
     */
    static Optional<Long> metadataStep(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] len = in.readNBytes(8);
            if (len.length < 8) return Optional.empty();
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n <= 0 || n > MAX_HEADER || n > Files.size(f) - 8) return Optional.empty();
            JsonNode h = JSON.readTree(new String(in.readNBytes((int) n), StandardCharsets.UTF_8));
            JsonNode step = h.path("__metadata__").path("step");
            if (step.isTextual() && step.asText().matches("\\d{1,18}")) return Optional.of(Long.parseLong(step.asText()));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not (yet) a readable safetensors file: not a candidate this poll
        }
    }

    /** Every file of the candidate with size and mtime, sorted by name; empty when it vanished. */
    static List<FileState> snapshot(Candidate c) throws IOException {
        List<FileState> out = new ArrayList<>();
        if (Files.isRegularFile(c.path())) {
            out.add(new FileState(c.name(), Files.size(c.path()), Files.getLastModifiedTime(c.path()).toMillis()));
            return out;
        }
        if (!Files.isDirectory(c.path())) return out;
        try (Stream<Path> s = Files.walk(c.path())) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile).sorted()::iterator) {
                out.add(new FileState(c.path().relativize(p).toString().replace('\\', '/'), Files.size(p),
                        Files.getLastModifiedTime(p).toMillis()));
            }
        }
        return out;
    }

    /** Why the candidate is not complete yet (judging its snapshot), or null when nothing but stability is left to check. */
    static String incomplete(Candidate c, List<FileState> files, Path runDir) {
        if (files.isEmpty()) return "no files yet";
        Map<String, FileState> byName = new LinkedHashMap<>();
        boolean shards = false;
        List<String> indexes = new ArrayList<>();
        for (FileState f : files) {
            String base = f.name().substring(f.name().lastIndexOf('/') + 1);
            if (isTemp(base)) return "temporary file " + f.name();
            byName.put(f.name(), f);
            if (SHARD.matcher(base).matches()) shards = true;
            if (base.endsWith(".index.json")) indexes.add(f.name());
        }
        if (shards && indexes.isEmpty()) return "shard files without their index";
        for (String idx : indexes) {
            try {
                JsonNode map = JSON.readTree(c.path().resolve(idx).toFile()).path("weight_map");
                String dir = idx.contains("/") ? idx.substring(0, idx.lastIndexOf('/') + 1) : "";
                for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
                    String shard = dir + it.next().asText();
                    if (!byName.containsKey(shard)) return "index " + idx + " names missing shard " + shard;
                }
            } catch (IOException | RuntimeException e) {
                return "index " + idx + " is not readable yet";
            }
        }
        if (c.name().startsWith("iter_")) {
            Path latest = runDir.resolve("latest_checkpointed_iteration.txt");
            if (Files.isRegularFile(latest)) {
                try {
                    String t = Files.readString(latest).trim();
                    if (t.matches("\\d+") && Long.parseLong(t) < c.step()) return "latest_checkpointed_iteration.txt is " + t;
                } catch (IOException | RuntimeException e) {
                    return "latest_checkpointed_iteration.txt not readable";
                }
            }
        }
        return null;
    }
}
