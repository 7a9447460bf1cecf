package org.trainproof.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.FileManifest;
import org.trainproof.checkpoint.ManifestOptions;
import org.trainproof.checkpoint.Manifests;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.TensorSketch;
import org.trainproof.checkpoint.TensorStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trainproof inspect PATH [--json]}: the per-tensor manifest of a safetensors checkpoint. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {
            "Show the per-tensor manifest of a safetensors checkpoint: a file, a sharded directory, or",
            "a model.safetensors.index.json. Table: name, dtype, shape, digest prefix, mean, std, min, max;",
            "then each file's Merkle root. --json FILE writes the full manifest",
            "(schemas/checkpoint-manifest.schema.json)."
        })
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "safetensors file, checkpoint directory, or *.safetensors.index.json")
    Path path;

    @Option(names = "--json", paramLabel = "FILE", arity = "0..1", fallbackValue = DeprecatedBare.MARK,
            description = "Write the full manifest as JSON to FILE; - for standard output.")
    String json;

    @Option(names = "--force", description = "Overwrite the --json file if it exists (refused otherwise).")
    boolean force;

    @Option(names = "--file-sha256", description = "Also compute the SHA-256 of each whole file (equals sha256sum).")
    boolean fileSha256;

    @Option(names = "--values-limit", paramLabel = "N", description = "Record exact values of rank-0/1 tensors with at most N elements (default ${DEFAULT-VALUE}).")
    int valuesLimit = ManifestOptions.DEFAULT_VALUES_LIMIT;

    @Option(names = "--sample-k", paramLabel = "K", description = "Coordinate-sample size (default ${DEFAULT-VALUE}).")
    int sampleK = ManifestOptions.DEFAULT_SAMPLE_K;

    @Option(names = "--sketch-width", paramLabel = "W", description = "CountSketch width (tp-countsketch-v3, depth 1), a power of two in 2..32768 (default ${DEFAULT-VALUE}).")
    int sketchWidth = TensorSketch.DEFAULT_WIDTH;

    @Option(names = "--threads", paramLabel = "T", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--reads", paramLabel = "MODE", description = "How tensor bytes are read: auto (default: straight from the disk, O_DIRECT,"
            + " the files of 64 MiB or more that are read once and mostly not in the page cache, when they exceed half of the memory"
            + " available; else through the page cache), direct or buffered. The manifest is the same bit for bit.")
    ManifestOptions.Reads reads = ManifestOptions.Reads.AUTO;

    @Option(names = "--rank", paramLabel = "R", description = "Make a shard manifest: this is rank R's part of a distributed checkpoint (with --world-size; docs/distributed.md).")
    Integer rank;

    @Option(names = "--world-size", paramLabel = "W", description = "Number of ranks that wrote the distributed checkpoint (with --rank).")
    Integer worldSize;

    @Option(names = "--host", paramLabel = "NAME", description = "Host name stated in the shard manifest (default: this machine's name).")
    String host;

    @Override
    public Integer call() throws Exception {
        Output o = Output.of("--json", DeprecatedBare.resolve(json, "--json", spec.commandLine().getErr()));
        if (o != null) o.check(force);
        ManifestOptions opt;
        try {
            opt = new ManifestOptions(valuesLimit, sampleK, sketchWidth, fileSha256,
                    threads == null ? Runtime.getRuntime().availableProcessors() : threads,
                    ManifestOptions.DEFAULT_CHUNK_BYTES, reads);
        } catch (IllegalArgumentException e) {
            throw org.trainproof.TrainproofException.usage(e.getMessage());
        }
        Progress.Bytes progress = Progress.forBytes("inspect", Progress.sizeOf(path), spec.commandLine().getErr());
        if ((rank == null) != (worldSize == null)) throw org.trainproof.TrainproofException.usage("--rank and --world-size go together");
        if (rank != null && (worldSize < 1 || rank < 0 || rank >= worldSize)) {
            throw org.trainproof.TrainproofException.usage("--rank must be in 0..--world-size-1");
        }
        if (host != null && rank == null) throw org.trainproof.TrainproofException.usage("--host needs --rank and --world-size");
        CheckpointManifest m;
        org.trainproof.checkpoint.CheckpointSource dcpShard = DcpShards.open(path, rank);
        if (dcpShard != null) {
            try (dcpShard) {
                m = Manifests.of(dcpShard, opt, progress);
            }
        } else {
            m = Manifests.of(path, opt, progress);
        }
        if (progress != null) progress.finish();
        if (rank != null) m = m.asShard(rank, worldSize, host != null ? host : localHost());
        PrintWriter out = spec.commandLine().getOut();
        if (o != null) {
            o.write(force, out, jsonMapper().writeValueAsString(m) + "\n");
        } else {
            render(out, m);
        }
        out.flush();
        return ExitCode.OK;
    }

    private static String localHost() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    static ObjectMapper jsonMapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    static void render(PrintWriter out, CheckpointManifest m) {
        int nameW = 4;
        for (TensorManifest t : m.tensors()) nameW = Math.max(nameW, t.name().length());
        nameW = Math.min(nameW, 60);
        String fmt = "%-" + nameW + "s  %-11s  %-18s  %-12s  %12s  %12s  %12s  %12s%n";
        out.printf(Locale.ROOT, fmt, "name", "dtype", "shape", "sha256", "mean", "std", "min", "max");
        for (TensorManifest t : m.tensors()) {
            TensorStats s = t.stats();
            out.printf(Locale.ROOT, fmt, t.name(), t.dtype(), shape(t.shape()), t.sha256().substring(0, 12),
                    num(s == null ? null : s.mean()), num(s == null ? null : s.std()),
                    num(s == null ? null : s.min()), num(s == null ? null : s.max()));
            if (s != null && s.nan() + s.posInf() + s.negInf() > 0) {
                out.printf(Locale.ROOT, "%-" + nameW + "s  (non-finite: %d NaN, %d +Inf, %d -Inf)%n", "", s.nan(), s.posInf(), s.negInf());
            }
        }
        out.println();
        for (FileManifest f : m.files()) {
            out.printf(Locale.ROOT, "file %s  %d bytes  root %s%n", f.path(), f.size(), f.root());
            if (f.sha256() != null) out.printf(Locale.ROOT, "     sha256 %s%n", f.sha256());
        }
        if (m.info() != null) {
            StringBuilder b = new StringBuilder();
            m.info().forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
            out.printf(Locale.ROOT, "stated by the container: %s%n", b);
        }
        out.printf(Locale.ROOT, "%s: %d tensors in %d file(s); checkpoint root %s%n", m.format(), m.tensors().size(),
                m.files().size(), m.root());
    }

    private static String shape(List<Long> s) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.size(); i++) b.append(i == 0 ? "" : ",").append(s.get(i));
        return b.append(']').toString();
    }

    private static String num(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.5g", d);
    }
}
