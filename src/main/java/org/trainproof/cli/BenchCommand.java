package org.trainproof.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.checkpoint.Dtype;
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
            "'sha256sum'; then, with the file evicted from the page cache before each run, the manifest read",
            "buffered and read direct, and openssl. Prints throughput, CPU-s per GB and ratios (median of the",
            "repeats). The file is deleted after."
        })
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size-gb", paramLabel = "G", description = "File size in GB (default ${DEFAULT-VALUE}).")
    double sizeGb = 2.0;

    @Option(names = "--dir", paramLabel = "D", description = "Directory for the file (default: a new temp dir).")
    Path dir;

    @Option(names = "--repeat", paramLabel = "R", description = "Runs of each tool; the median is reported (default ${DEFAULT-VALUE}).")
    int repeat = 5;

    @Option(names = "--warmup", paramLabel = "W", description = "Uncounted manifest runs before the timed ones, while the JIT compiles"
            + " the kernels; the first one's CPU time (a fresh JVM's cost) is printed too (default ${DEFAULT-VALUE}).")
    int warmup = 2;

    @Option(names = "--threads", paramLabel = "T", description = "Manifest worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--reads", paramLabel = "MODE", description = "How the timed manifests read the cached file: auto (default; buffered, since the"
            + " bench has just read the file), direct (O_DIRECT, no copy out of the page cache) or buffered. The runs from the disk"
            + " time both buffered and direct.")
    ManifestOptions.Reads reads = ManifestOptions.Reads.AUTO;

    @Option(names = "--dtype", paramLabel = "BF16|F32", description = "Element type of the generated file (default ${DEFAULT-VALUE}).")
    String dtype = "BF16";

    @Option(names = "--keep", description = "Keep the generated file (a later run with the same --dir, --size-gb and --dtype reuses it).")
    boolean keep;

    @Override
    public Integer call() throws IOException {
        if (sizeGb <= 0 || sizeGb > 1000 || repeat < 1 || repeat > 100 || warmup < 0 || warmup > 100) {
            throw TrainproofException.usage("--size-gb must be in (0, 1000], --repeat in [1, 100] and --warmup in [0, 100]");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("trainproof-bench");
        ManifestOptions opt = ManifestOptions.defaults();
        if (threads != null) opt = opt.withThreads(threads);
        opt = opt.withReads(reads);
        Dtype dt;
        if ("BF16".equalsIgnoreCase(dtype)) dt = Dtype.BF16;
        else if ("F32".equalsIgnoreCase(dtype)) dt = Dtype.F32;
        else throw TrainproofException.usage("--dtype must be BF16 or F32: " + dtype);
        ManifestBenchmark.Result r = null;
        try {
            r = ManifestBenchmark.run(work, (long) (sizeGb * 1e9), dt, repeat, warmup, opt, err);
        } finally {
            if (!keep) {
                Files.deleteIfExists(work.resolve(ManifestBenchmark.fileName(dt)));
                Files.deleteIfExists(work.resolve(ManifestBenchmark.ptName(dt)));
                if (dir == null) Files.deleteIfExists(work);
            }
        }
        double gb = r.bytes() / 1e9;
        double m = r.median(r.manifest()), o = r.median(r.openssl()), s = r.median(r.sha256sum());
        out.printf(Locale.ROOT, "file: %.3f GB " + dt + " safetensors, %d tensors%s%n", gb, r.tensors(), keep ? " (kept: " + r.file() + ")" : "");
        out.printf(Locale.ROOT, "cores: %d available, manifest threads %d; JVM %s %s; BF16/F32 kernel: %s%n", Runtime.getRuntime().availableProcessors(),
                r.threads(), System.getProperty("java.vendor"), Runtime.version(), r.kernel());
        out.printf(Locale.ROOT, "first manifest in this JVM (JIT compiling): %.3f CPU-s = %.3f CPU-s per GB%s%n", r.coldCpu(), r.coldCpu() / gb,
                r.warmups() > 0 ? "; then " + (r.warmups() - 1) + " more uncounted warm-up run(s) before the timed ones" : " (counted)");
        out.printf(Locale.ROOT, "load average before: %s; after: %s%n", r.loadBefore(), r.loadAfter());
        out.printf(Locale.ROOT, "manifest reads: %s%n", r.reads());
        out.printf(Locale.ROOT, "%-44s %9s %9s%n", "median of " + r.manifest().length + " run(s)", "seconds", "GB/s");
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "trainproof manifest (digest+stats+sample+sketch)", m, gb / m);
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "openssl dgst -sha256", o, gb / o);
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "sha256sum", s, gb / s);
        double c = r.median(r.manifestCpu());
        double oc = r.median(r.opensslCpu()), sc = r.median(r.sha256sumCpu());
        out.printf(Locale.ROOT, "CPU time, median (user + system; load average after each run: %s)%n", String.join(" | ", r.loads()));
        out.printf(Locale.ROOT, "  trainproof manifest %7.3f CPU-s = %.3f CPU-s per GB (CPU/wall %.2f, %d = every worker busy)%n",
                c, c / gb, c / m, r.threads());
        out.printf(Locale.ROOT, "  openssl dgst -sha256 %6.3f CPU-s = %.3f CPU-s per GB%n", oc, oc / gb);
        out.printf(Locale.ROOT, "  sha256sum           %7.3f CPU-s = %.3f CPU-s per GB%n", sc, sc / gb);
        double jit = r.median(r.manifestJitCpu());
        double[] noJit = new double[r.manifestCpu().length];
        for (int i = 0; i < noJit.length; i++) noJit[i] = r.manifestCpu()[i] - r.manifestJitCpu()[i];
        double cn = r.median(noJit);
        if (Double.isNaN(jit)) {
            out.printf(Locale.ROOT, "  of which JIT compiler threads: not readable here (needs Linux /proc/self/task)%n");
        } else {
            out.printf(Locale.ROOT, "  of which JIT compiler threads %.3f CPU-s; without them %.3f CPU-s = %.3f CPU-s per GB (medians per run;"
                    + " what a GB costs once the JIT is done compiling, as in a long manifest; the target below counts all threads)%n",
                    jit, cn, cn / gb);
        }
        double jc = r.median(r.jdkShaCpu());
        out.printf(Locale.ROOT, "  JDK SHA-256 alone   %7.3f CPU-s = %.3f CPU-s per GB (MessageDigest, one thread, same reads: the floor of the"
                + " digest part; manifest minus it: %.3f CPU-s per GB for statistics, sample, sketch and threading)%n",
                jc, jc / gb, (c - jc) / gb);
        double target = dt == Dtype.BF16 ? 0.9 : 1.0; // issue 19's targets, CPU-s per GB of all manifest work
        out.printf(Locale.ROOT, "target (issue 19) for %s: <= %.1f CPU-s per GB: %s (median %.3f; load average after the runs: %s)%n",
                dt, target, c / gb <= target ? "met" : "NOT met", c / gb, r.loadAfter());
        out.printf(Locale.ROOT, "CPU ratio manifest/openssl %.2f, manifest/sha256sum %.2f (CPU-s per GB; below 1 = cheaper)%n", c / oc, c / sc);
        out.printf(Locale.ROOT, "wall ratio to openssl: %.2fx; to sha256sum: %.2fx (both depend on how many cores the machine's other jobs left)%n",
                o / m, s / m);
        out.printf(Locale.ROOT, "on %d idle cores the manifest would take %.3f s per GB (CPU-s / cores): %.2fx openssl's CPU-s per GB, %.2fx sha256sum's%n",
                r.threads(), c / gb / r.threads(), oc / (c / r.threads()), sc / (c / r.threads()));
        out.printf(Locale.ROOT, "checkpoint root: %s%n", r.root());
        ManifestBenchmark.Cold cold = r.cold();
        if (cold.skipped() != null) {
            out.printf(Locale.ROOT, "from the disk (file evicted from the page cache): not measured: %s%n", cold.skipped());
        } else {
            out.printf(Locale.ROOT, "from the disk (file evicted from the page cache before each run), median of %d; --reads auto reads this file %s:%n",
                    cold.buffered().length, cold.auto());
            String[] names = {"manifest, --reads buffered", "manifest, --reads direct", "openssl dgst -sha256"};
            double[][] w = {cold.buffered(), cold.direct(), cold.openssl()};
            double[][] cp = {cold.bufferedCpu(), cold.directCpu(), cold.opensslCpu()};
            for (int i = 0; i < 3; i++) {
                out.printf(Locale.ROOT, "  %-28s %7.3f s, %.3f CPU-s per GB%s%n", names[i], r.median(w[i]), r.median(cp[i]) / gb,
                        i == 1 ? " (" + cold.directShare() + ")" : "");
            }
            if (cold.stillCached() > 0) {
                out.printf(Locale.ROOT, "  (%d of %d runs found the file still mostly in the page cache after the eviction: those timed the cache)%n",
                        cold.stillCached(), 3 * cold.buffered().length);
            }
            double cb = r.median(cold.bufferedCpu()) / gb, cd = r.median(cold.directCpu()) / gb;
            out.printf(Locale.ROOT, "  target (issue 19) for %s from the disk: <= %.1f CPU-s per GB: buffered %s, direct %s;"
                    + " wall ratio to openssl: buffered %.2fx, direct %.2fx%n", dt, target, cb <= target ? "met" : "NOT met",
                    cd <= target ? "met" : "NOT met", r.median(cold.openssl()) / r.median(cold.buffered()),
                    r.median(cold.openssl()) / r.median(cold.direct()));
        }
        double pm = r.median(r.ptManifest()), po = r.median(r.ptOpenssl()), pgb = r.ptBytes() / 1e9;
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "trainproof manifest, same tensors as .pt", pm, pgb / pm);
        out.printf(Locale.ROOT, "%-44s %9.3f %9.3f%n", "openssl dgst -sha256 of the .pt", po, pgb / po);
        out.printf(Locale.ROOT, ".pt wall ratio to openssl: %.2fx; per-tensor digests equal the safetensors file's: %s%n", po / pm,
                r.ptSameDigests() ? "yes" : "NO");
        return ExitCode.OK;
    }
}
