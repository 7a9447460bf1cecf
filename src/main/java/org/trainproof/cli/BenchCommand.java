package org.trainproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.checkpoint.ManifestBenchmark;
import org.trainproof.checkpoint.ManifestOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trainproof bench}: manifest throughput beside openssl and sha256sum on one generated BF16 file. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Write a multi-GB BF16 safetensors file, then time, side by side after a warm-up read each:",
            "the full manifest (digests, stats, sample, sketch; all cores), 'openssl dgst -sha256' and",
            "'sha256sum'; then the same tensors written as a torch.save .pt, its manifest against openssl on it.",
            "Prints throughput and ratios (median of the repeats). The files are deleted after."
        })
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size-gb", paramLabel = "G", description = "File size in GB (default ${DEFAULT-VALUE}).")
    double sizeGb = 2.0;

    @Option(names = "--dir", paramLabel = "D", description = "Directory for the file (default: a new temp dir).")
    Path dir;

    @Option(names = "--repeat", paramLabel = "R", description = "Runs of each tool; the median is reported (default ${DEFAULT-VALUE}).")
    int repeat = 3;

    @Option(names = "--threads", paramLabel = "T", description = "Manifest worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--keep", description = "Keep the generated file.")
    boolean keep;

    @Override
    public Integer call() throws IOException {
        if (sizeGb <= 0 || sizeGb > 1000 || repeat < 1 || repeat > 100) {
            throw TrainproofException.usage("--size-gb must be in (0, 1000] and --repeat in [1, 100]");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("trainproof-bench");
        ManifestOptions opt = ManifestOptions.defaults();
        if (threads != null) opt = opt.withThreads(threads);
        ManifestBenchmark.Result r = null;
        try {
            r = ManifestBenchmark.run(work, (long) (sizeGb * 1e9), repeat, opt, err);
        } finally {
            if (!keep) {
                Files.deleteIfExists(work.resolve("bench-bf16.safetensors"));
                Files.deleteIfExists(work.resolve("bench-bf16.pt"));
                if (dir == null) Files.deleteIfExists(work);
            }
        }
        double gb = r.bytes() / 1e9;
        double m = r.median(r.manifest()), o = r.median(r.openssl()), s = r.median(r.sha256sum());
        out.printf(Locale.ROOT, "file: %.3f GB BF16 safetensors, %d tensors%s%n", gb, r.tensors(), keep ? " (kept: " + r.file() + ")" : "");
        out.printf(Locale.ROOT, "cores: %d available, manifest threads %d%n", Runtime.getRuntime().availableProcessors(), r.threads());
        out.printf(Locale.ROOT, "load average before: %s; after: %s%n", r.loadBefore(), r.loadAfter());
        out.printf(Locale.ROOT, "%-44s %9s %9s%n", "median of " + r.manifest().length + " run(s)", "seconds", "GB/s");
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "trainproof manifest (digest+stats+sample+sketch)", m, gb / m);
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "openssl dgst -sha256", o, gb / o);
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "sha256sum", s, gb / s);
        double c = r.median(r.manifestCpu());
        out.printf(Locale.ROOT, "manifest CPU time (median): %.3f CPU-s = %.3f CPU-s per GB; CPU/wall of the medians %.2f (%d = every worker busy)%n",
                c, c / gb, c / m, r.threads());
        out.printf(Locale.ROOT, "ratio to openssl: %.2fx (target >= 1.0x); ratio to sha256sum: %.2fx (target >= 3x)%n", o / m, s / m);
        out.printf(Locale.ROOT, "checkpoint root: %s%n", r.root());
        double pm = r.median(r.ptManifest()), po = r.median(r.ptOpenssl()), pgb = r.ptBytes() / 1e9;
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "trainproof manifest of the same tensors as .pt", pm, pgb / pm);
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "openssl dgst -sha256 of the .pt", po, pgb / po);
        out.printf(Locale.ROOT, ".pt ratio to openssl: %.2fx; per-tensor digests equal the safetensors file's: %s%n", po / pm,
                r.ptSameDigests() ? "yes" : "NO");
        return ExitCode.OK;
    }
}
