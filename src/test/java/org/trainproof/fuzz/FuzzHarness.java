package org.trainproof.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.analysis.RunClaims;
import org.trainproof.checkpoint.CheckpointReaders;
import org.trainproof.checkpoint.Manifests;
import org.trainproof.checkpoint.Pickle;
import org.trainproof.checkpoint.SafetensorsReader;
import org.trainproof.cli.Cli;
import org.trainproof.cli.RunConfigFile;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.trainlog.LogReaders;

/**
 * Property-based fuzzing (jqwik) of every parser that reads untrusted input (issue 20): the
 * safetensors header (and the manifest read behind it), the training-log readers (every format's
 * detection and parse, files and directories), the proof bundle ({@code verify-proof}), the run-config
 * ({@code init}, {@code analyze}) and the pickle reader (bare pickles and torch zip / legacy files).
 *
 * <p>Each try builds an input from a seed (a real file from ../shared/realdata and fixtures/, or a
 * generated one) with random mutations, and checks three properties: (1) only the documented bad-input
 * error escapes, a {@link TrainproofException} whose exit code is not 4 (no NPE, IndexOutOfBounds,
 * NumberFormat, OutOfMemoryError, StackOverflowError ...); (2) every try finishes within a per-try
 * timeout ({@code trainproof.fuzz.timeoutMs}, default 10 s: inputs are at most a few MB, so a linear
 * reader takes well under a second); (3) the CLI command reading that input never exits 4.
 *
 * <p>The normal suite runs a smoke budget (junit-platform.properties: {@code jqwik.tries.default}, a
 * few tries per property, a few seconds). The fuzz run, with its budget, is documented in
 * docs/security.md:
 * <pre>mvn -q -ntp test -Dtest=FuzzHarness -Dtrainproof.fuzz=true -Djqwik.tries.default=3000</pre>
 * {@code trainproof.fuzz=true} adds long inputs (lines of up to 2 MB) and runs the CLI check on every
 * try (smoke: every fifth). A failing input is written to target/fuzz-findings/ and becomes a plain
 * regression test (FuzzRegressionTest).
 */
class FuzzHarness {
    static final boolean FUZZ = Boolean.getBoolean("trainproof.fuzz");
    static final long TIMEOUT_MS = Long.getLong("trainproof.fuzz.timeoutMs", 10_000L);
    static final Path REALDATA = Path.of(System.getProperty("trainproof.realdata", "../shared/realdata"));
    static final Path FINDINGS = Path.of("target", "fuzz-findings");
    private static final ObjectMapper M = new ObjectMapper();

    static Path work;
    static ExecutorService pool;
    static int tries;
    static final List<Seed> safetensorSeeds = new ArrayList<>();
    static final List<Seed> logSeeds = new ArrayList<>();
    static final List<Path> logDirSeeds = new ArrayList<>();
    static final List<Seed> pickleSeeds = new ArrayList<>();
    static final List<Seed> torchSeeds = new ArrayList<>();
    static final List<Seed> runConfigSeeds = new ArrayList<>();
    static byte[] proofBundle;
    static Path pub;
    static Path key;

    /** A seed input and the file name it is written under (detection may look at the name). */
    record Seed(String name, byte[] bytes) {}

    @BeforeContainer
    static void seeds() throws IOException {
        work = Files.createTempDirectory("trainproof-fuzz");
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fuzz-try");
            t.setDaemon(true);
            return t;
        });
        // safetensors: the fixtures (written by the tool) and real files from other writers
        safetensorSeeds.add(new Seed("step-0.safetensors", Files.readAllBytes(Path.of("fixtures", "scratch", "step-0.safetensors"))));
        for (Path p : list(REALDATA.resolve("formats/safetensors"))) {
            if (Files.size(p) <= 300_000) safetensorSeeds.add(new Seed(p.getFileName().toString(), Files.readAllBytes(p)));
        }
        // logs: the head (<= 16 KB) of every real log, the fixture log, and templates of formats without a real file
        logSeeds.add(new Seed("log.jsonl", head(Path.of("fixtures", "scratch", "log.jsonl"), 16_384)));
        try (Stream<Path> s = Files.exists(REALDATA.resolve("logs")) ? Files.walk(REALDATA.resolve("logs")) : Stream.empty()) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("MANIFEST.tsv")).toList()) {
                logSeeds.add(new Seed(p.getFileName().toString(), head(p, 16_384)));
            }
        }
        for (String[] t : LogTemplates.ALL) logSeeds.add(new Seed(t[0], t[1].getBytes(StandardCharsets.UTF_8)));
        for (String d : new String[] {"formats/tfevents/tbreducer_strict_run_1", "formats/tfevents/tbreducer_duplicate_steps_run_1",
                "formats/wandb/mfts_legacy_0.8", "formats/mlflow/swahili/mlruns"}) {
            if (Files.isDirectory(REALDATA.resolve(d))) logDirSeeds.add(REALDATA.resolve(d));
        }
        // pickles: data.pkl of real torch zip files; whole torch files for the container readers
        pickleSeeds.add(new Seed("small.pkl", new byte[] {(byte) 0x80, 2, '}', 'q', 0, 'X', 1, 0, 0, 0, 'a', 'K', 1, 's', '.'}));
        for (Path dir : List.of(REALDATA.resolve("formats/pytorch"), REALDATA.resolve("formats/pytorch_legacy"))) {
            for (Path p : list(dir)) {
                byte[] b = Files.readAllBytes(p);
                if (b.length > 300_000) continue;
                torchSeeds.add(new Seed(p.getFileName().toString(), b));
                byte[] pkl = zipEntry(b, "data.pkl");
                if (pkl != null) pickleSeeds.add(new Seed(p.getFileName() + ".data.pkl", pkl));
            }
        }
        // run-configs: every fixture's
        try (Stream<Path> s = Files.list(Path.of("fixtures"))) {
            for (Path d : s.toList()) {
                Path rc = d.resolve("run-config.json");
                if (Files.isRegularFile(rc)) runConfigSeeds.add(new Seed("run-config.json", Files.readAllBytes(rc)));
            }
        }
        // a real proof bundle from a real ledger
        key = work.resolve("k.key");
        pub = work.resolve("k.pub");
        Path db = work.resolve("proof.db");
        cliOk("keygen", "--name", "example.com/fuzz", "--out", work.resolve("k").toString());
        cliOk("init", db.toString(), "--key", key.toString(), "--origin", "example.com/runs/fuzz");
        for (int s = 1; s <= 3; s++) cliOk("record", db.toString(), "--key", key.toString(), "--step", "" + s * 10, "--event", "e" + s);
        Path proof = work.resolve("p.json");
        cliOk("prove", db.toString(), "--index", "2", "--out", proof.toString());
        proofBundle = Files.readAllBytes(proof);
        Files.createDirectories(FINDINGS);
    }

    @AfterContainer
    static void cleanup() throws IOException {
        pool.shutdownNow();
        try (Stream<Path> s = Files.walk(work)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) p.toFile().delete();
        }
    }

    // ---------------------------------------------------------------- properties

    @Property
    void safetensorsHeader_onlyBadInputErrors(@ForAll Random r) throws Exception {
        byte[] in = r.nextInt(3) == 0 ? Generators.safetensors(r) : Mutator.mutate(pick(safetensorSeeds, r).bytes(), r, FUZZ);
        Path f = write("t.safetensors", in);
        check("safetensors", in, () -> SafetensorsReader.readHeader(f));
        check("safetensors-manifest", in, () -> Manifests.of(f));
        if (cliThisTry()) noExit4("safetensors-inspect", in, "inspect", f.toString());
    }

    @Property
    void logFile_detectionAndEveryFormat_onlyBadInputErrors(@ForAll Random r) throws Exception {
        Seed s = pick(logSeeds, r);
        byte[] in = Mutator.mutateLines(s.bytes(), r, FUZZ);
        Path f = write(s.name(), in);
        LogFormat[] formats = LogFormat.values();
        LogFormat forced = formats[r.nextInt(formats.length)];
        check("log-detect", in, () -> {
            LogFormat d = null;
            try {
                d = LogReaders.detect(f);
            } catch (TrainproofException e) {
                if (e.exitCode() == ExitCode.INTERNAL) throw e;
            }
            if (d != null) {
                LogReaders.read(f, d);
                final LogFormat fd = d;
                try {
                    LogReaders.streamWithSteps(f, fd, rec -> {});
                } catch (TrainproofException e) {
                    if (e.exitCode() == ExitCode.INTERNAL) throw e;
                }
            }
            return null;
        });
        check("log-forced-" + forced.cliName(), in, () -> LogReaders.read(f, forced));
        if (cliThisTry()) noExit4("log-metrics", in, "metrics", f.toString(), "--json", "-");
    }

    @Property
    void logDirectory_onlyBadInputErrors(@ForAll Random r) throws Exception {
        if (logDirSeeds.isEmpty()) return;
        Path seed = logDirSeeds.get(r.nextInt(logDirSeeds.size()));
        Path dir = Files.createTempDirectory(work, "logdir");
        List<Path> files;
        try (Stream<Path> s = Files.walk(seed)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        Path victim = files.get(r.nextInt(files.size()));
        for (Path p : files) {
            Path to = dir.resolve(seed.relativize(p).toString());
            Files.createDirectories(to.getParent());
            byte[] b = Files.readAllBytes(p);
            if (p.equals(victim) || r.nextInt(8) == 0) b = Mutator.mutate(b, r, FUZZ);
            Files.write(to, b);
            all.writeBytes(seed.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
            all.write(0);
            all.writeBytes(b);
        }
        byte[] in = all.toByteArray();
        check("logdir", in, () -> {
            LogFormat d;
            try {
                d = LogReaders.detect(dir);
            } catch (TrainproofException e) {
                if (e.exitCode() == ExitCode.INTERNAL) throw e;
                return null;
            }
            return LogReaders.read(dir, d);
        });
        if (cliThisTry()) noExit4("logdir-metrics", in, "metrics", dir.toString(), "--json", "-");
    }

    @Property
    void proofBundle_verifyProofNeverExit4(@ForAll Random r) throws Exception {
        byte[] in;
        int mode = r.nextInt(3);
        if (mode == 0) {
            in = Mutator.mutate(proofBundle, r, FUZZ);
        } else if (mode == 1) {
            in = Generators.mutateJson(M.readTree(proofBundle), r).getBytes(StandardCharsets.UTF_8);
        } else {
            in = Mutator.mutate(M.readTree(proofBundle).get("tlog_proof").asText().getBytes(StandardCharsets.UTF_8), r, FUZZ);
        }
        Path f = write("p.proof.json", in);
        int code = noExit4("verify-proof", in, "verify-proof", f.toString(), "--key", pub.toString());
        if (code == ExitCode.OK && mode != 0 && !java.util.Arrays.equals(in, proofBundle)) {
            // a changed bundle that still verifies must be the same proof: same index, leaf and entry
            JsonNode a = M.readTree(proofBundle);
            JsonNode b;
            try {
                b = M.readTree(in);
            } catch (IOException e) {
                return;
            }
            if (b.isObject()) {
                for (String k : new String[] {"origin", "index", "leaf_hash", "entry", "tlog_proof"}) {
                    if (!a.path(k).equals(b.path(k))) fail("verify-proof", in, "exit 0 for a bundle whose '" + k + "' was changed", null);
                }
            }
        }
    }

    @Property
    void runConfig_initAndAnalyzeAgree_onlyBadInputErrors(@ForAll Random r) throws Exception {
        byte[] in = r.nextInt(3) == 0 ? Generators.runConfig(r).getBytes(StandardCharsets.UTF_8)
                : r.nextBoolean() ? Mutator.mutate(pick(runConfigSeeds, r).bytes(), r, FUZZ)
                : Generators.mutateJson(M.readTree(pick(runConfigSeeds, r).bytes()), r).getBytes(StandardCharsets.UTF_8);
        Path f = write("run-config.json", in);
        check("run-config", in, () -> {
            ObjectNode cfg = RunConfigFile.read(f, "fuzz", null);
            return RunClaims.parse(cfg);
        });
        if (cliThisTry()) {
            Path db = work.resolve("rc-" + System.nanoTime() + ".db");
            String[] init = cli(in, "init", db.toString(), "--key", key.toString(), "--origin", "example.com/runs/rc", "--run-config", f.toString());
            String[] analyze = cli(in, "analyze", Path.of("fixtures", "scratch", "log.jsonl").toString(), "--run-config", f.toString(),
                    "--quiet", "--seed", "1");
            int ci = Integer.parseInt(init[0]), ca = Integer.parseInt(analyze[0]);
            if (ci == ExitCode.BAD_INPUT || ca == ExitCode.BAD_INPUT) {
                // issue 20 item 10: one parser, one validation: both refuse, with the same message
                if (ci != ca || !init[2].equals(analyze[2])) {
                    fail("run-config-agree", in, "init exit " + ci + " '" + init[2] + "' vs analyze exit " + ca + " '" + analyze[2] + "'", null);
                }
            }
            Files.deleteIfExists(db);
        }
    }

    @Property
    void pickle_onlyBadInputErrors(@ForAll Random r) throws Exception {
        byte[] in = r.nextInt(3) == 0 ? Generators.pickle(r) : Mutator.mutate(pick(pickleSeeds, r).bytes(), r, FUZZ);
        Pickle.Policy policy = r.nextBoolean() ? Pickle.Policy.TORCH : Pickle.Policy.DCP_METADATA;
        check("pickle-" + policy, in, () -> Pickle.load(in, "fuzz.pkl", policy));
    }

    @Property
    void torchFile_onlyBadInputErrors(@ForAll Random r) throws Exception {
        if (torchSeeds.isEmpty()) return;
        Seed s = pick(torchSeeds, r);
        byte[] in;
        byte[] pkl = zipEntry(s.bytes(), "data.pkl");
        if (pkl != null && r.nextBoolean()) {
            // keep the zip valid and fuzz the pickle inside it (or a storage file's length)
            in = rezip(s.bytes(), "data.pkl", r.nextInt(3) == 0 ? Generators.pickle(r) : Mutator.mutate(pkl, r, FUZZ), r);
        } else {
            in = Mutator.mutate(s.bytes(), r, FUZZ);
        }
        Path f = write("model.pt", in);
        check("torch", in, () -> {
            CheckpointReaders.describe(f);
            return Manifests.of(f);
        });
        if (cliThisTry()) noExit4("torch-inspect", in, "inspect", f.toString());
    }

    // ---------------------------------------------------------------- checking

    private static boolean cliThisTry() {
        return FUZZ || (tries++ % 5 == 0);
    }

    /** Runs {@code body} with the per-try timeout; only a TrainproofException that is not exit 4 may escape. */
    static void check(String what, byte[] input, Callable<?> body) throws IOException {
        Future<?> f = pool.submit(body);
        try {
            f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail(what, input, "no result within " + TIMEOUT_MS + " ms (hang or super-linear time)", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof TrainproofException te && te.exitCode() != ExitCode.INTERNAL) return;
            fail(what, input, "undocumented " + t, t);
        }
    }

    /** Runs the CLI in-process (with the timeout); fails on exit 4 or on anything thrown out of it. Returns the exit code. */
    static int noExit4(String what, byte[] input, String... args) throws IOException {
        String[] r = cli(input, args);
        int code = Integer.parseInt(r[0]);
        if (code == ExitCode.INTERNAL) fail(what, input, "exit 4: " + r[2], null);
        return code;
    }

    /** {exit code, stdout, stderr}; fails on a timeout or a Throwable escaping Cli.run (an Error such as StackOverflowError). */
    static String[] cli(byte[] input, String... args) throws IOException {
        StringWriter o = new StringWriter(), e = new StringWriter();
        Future<Integer> f = pool.submit(() -> Cli.run(new PrintWriter(o), new PrintWriter(e), args));
        try {
            int code = f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return new String[] {"" + code, o.toString(), e.toString()};
        } catch (TimeoutException ex) {
            f.cancel(true);
            fail(args[0], input, "trainproof " + args[0] + ": no exit within " + TIMEOUT_MS + " ms", null);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        } catch (ExecutionException ex) {
            fail(args[0], input, "trainproof " + args[0] + " threw " + ex.getCause(), ex.getCause());
        }
        throw new AssertionError("unreachable");
    }

    /** Saves the input to target/fuzz-findings/WHAT-SHA.bin and fails the try. */
    static void fail(String what, byte[] input, String why, Throwable cause) throws IOException {
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input)).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Files.createDirectories(FINDINGS);
        Path saved = FINDINGS.resolve(what.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + sha + ".bin");
        Files.write(saved, input);
        throw new AssertionError(what + ": " + why + " (input saved as " + saved + ")", cause);
    }

    // ---------------------------------------------------------------- helpers

    static <T> T pick(List<T> l, Random r) {
        return l.get(r.nextInt(l.size()));
    }

    static Path write(String name, byte[] b) throws IOException {
        Path d = Files.createTempDirectory(work, "try");
        Path f = d.resolve(name);
        Files.write(f, b);
        return f;
    }

    static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static byte[] head(Path p, int n) throws IOException {
        try (var in = Files.newInputStream(p)) {
            return in.readNBytes(n);
        }
    }

    static void cliOk(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Cli.run(new PrintWriter(o), new PrintWriter(e), args);
        if (code != 0) throw new IllegalStateException(String.join(" ", args) + ": exit " + code + " " + e);
    }

    /** The bytes of the zip entry whose name ends with {@code suffix}, or null (not a zip, or absent). */
    static byte[] zipEntry(byte[] zip, String suffix) {
        try (ZipInputStream z = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null;) {
                if (e.getName().endsWith("/" + suffix) || e.getName().equals(suffix)) return z.readAllBytes();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The zip with the entry ending in {@code suffix} replaced (stored, as torch writes it); sometimes a storage truncated. */
    static byte[] rezip(byte[] zip, String suffix, byte[] replacement, Random r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream z = new ZipInputStream(new java.io.ByteArrayInputStream(zip)); ZipOutputStream w = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null;) {
                byte[] b = z.readAllBytes();
                if (e.getName().endsWith("/" + suffix)) b = replacement;
                else if (e.getName().contains("/data/") && r.nextInt(4) == 0) b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
                ZipEntry n = new ZipEntry(e.getName());
                n.setMethod(ZipEntry.STORED);
                n.setSize(b.length);
                n.setCompressedSize(b.length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(b);
                n.setCrc(crc.getValue());
                w.putNextEntry(n);
                w.write(b);
                w.closeEntry();
            }
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- generators

    /** Byte- and token-level mutations. */
    static final class Mutator {
        static final String[] TOKENS = {"-1", "-9223372036854775808", "9223372036854775807", "18446744073709551616", "1e400", "-1e400",
            "NaN", "Infinity", "-Infinity", "nan", "inf", "null", "true", "\"\"", "{}", "[]", "0.5", "1e-400", "-0", "0x10",
            "99999999999999999999999999999", "\u00ff", "\\u0000", "\\ud800", "\"\\ud800\"", "\u0000", "\r", "\n", "\r\n", "\t", "\uFEFF",
            "{\"a\":", "[[[[[[[[[[", "]]]]]", "step", "\"step\":", "loss", "=", ":", "|", "/", "'", ",", "{'loss': ", "%", "e", "E+"};

        static byte[] mutate(byte[] seed, Random r, boolean big) {
            byte[] b = seed.clone();
            int ops = 1 + r.nextInt(r.nextInt(8) + 1);
            for (int i = 0; i < ops; i++) b = once(b, r, big);
            return b;
        }

        static byte[] once(byte[] b, Random r, boolean big) {
            int n = b.length;
            int at = n == 0 ? 0 : r.nextInt(n + 1);
            switch (r.nextInt(big ? 10 : 9)) {
                case 0 -> { // flip a bit
                    if (n > 0) b[Math.min(at, n - 1)] ^= (byte) (1 << r.nextInt(8));
                }
                case 1 -> { // an interesting byte
                    byte[] v = {0, -1, 0x7f, -128, '\n', '"', '{', '}', '[', ']', ',', ':', '\\', '.', '-', '9'};
                    if (n > 0) b[Math.min(at, n - 1)] = v[r.nextInt(v.length)];
                }
                case 2 -> b = insert(b, at, TOKENS[r.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
                case 3 -> { // delete a range
                    int len = Math.min(n - Math.min(at, n), 1 + r.nextInt(64));
                    b = concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(b, Math.min(n, at + len), n));
                }
                case 4 -> { // duplicate a range
                    int len = Math.min(n - Math.min(at, n), 1 + r.nextInt(256));
                    b = insert(b, at, java.util.Arrays.copyOfRange(b, Math.min(at, n), Math.min(n, at + len)));
                }
                case 5 -> b = java.util.Arrays.copyOf(b, n == 0 ? 0 : r.nextInt(n + 1)); // truncate
                case 6 -> b = replaceNumber(b, r);
                case 7 -> { // random bytes
                    byte[] x = new byte[1 + r.nextInt(32)];
                    r.nextBytes(x);
                    b = insert(b, at, x);
                }
                case 8 -> { // an overwritten little-endian u64 (lengths, offsets)
                    if (n >= 8) {
                        long[] v = {0, -1, Long.MAX_VALUE, 1L << 32, 1L << 62, n, n + 1, 100_000_001L};
                        ByteBuffer.wrap(b, r.nextInt(Math.min(n - 7, 64)), 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v[r.nextInt(v.length)]);
                    }
                }
                default -> { // fuzz mode: a long run (up to 2 MB) of one character, as one line
                    byte[] run = new byte[1 + r.nextInt(2 << 20)];
                    byte[] cs = {'a', '1', ' ', '{', '[', '"', '=', '.', '/', '-'};
                    java.util.Arrays.fill(run, cs[r.nextInt(cs.length)]);
                    b = insert(b, at, run);
                }
            }
            return b;
        }

        /** Line-aware: mutate a few lines, keep the rest (so records after a bad one are still read). */
        static byte[] mutateLines(byte[] seed, Random r, boolean big) {
            if (r.nextInt(4) == 0) return mutate(seed, r, big);
            String s = new String(seed, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
            int k = 1 + r.nextInt(4);
            for (int i = 0; i < k && !lines.isEmpty(); i++) {
                int j = r.nextInt(lines.size());
                lines.set(j, new String(mutate(lines.get(j).getBytes(StandardCharsets.UTF_8), r, big && r.nextInt(4) == 0), StandardCharsets.UTF_8));
            }
            return String.join(r.nextInt(8) == 0 ? "\r\n" : "\n", lines).getBytes(StandardCharsets.UTF_8);
        }

        static byte[] replaceNumber(byte[] b, Random r) {
            List<int[]> runs = new ArrayList<>();
            for (int i = 0; i < b.length && runs.size() < 256; i++) {
                if (b[i] >= '0' && b[i] <= '9') {
                    int j = i;
                    while (j < b.length && ((b[j] >= '0' && b[j] <= '9') || b[j] == '.' || b[j] == 'e' || b[j] == '-')) j++;
                    runs.add(new int[] {i, j});
                    i = j;
                }
            }
            if (runs.isEmpty()) return b;
            int[] run = runs.get(r.nextInt(runs.size()));
            String[] nums = {"-1", "-5", "1e30", "1e400", "NaN", "-0", "0.5", "9223372036854775808", "99999999999999999999", "1.0", "4.5e15",
                "-9223372036854775808", "1e-320", "Infinity"};
            return concat(concat(java.util.Arrays.copyOf(b, run[0]), nums[r.nextInt(nums.length)].getBytes(StandardCharsets.US_ASCII)),
                    java.util.Arrays.copyOfRange(b, run[1], b.length));
        }

        static byte[] insert(byte[] b, int at, byte[] x) {
            at = Math.min(at, b.length);
            return concat(concat(java.util.Arrays.copyOf(b, at), x), java.util.Arrays.copyOfRange(b, at, b.length));
        }

        static byte[] concat(byte[] a, byte[] b) {
            byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        }
    }

    /** Structured inputs: a safetensors file from its rules, a run-config from the schema's fields, a pickle from its opcodes. */
    static final class Generators {
        static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "U64",
            "C64", "f32", "", "F4", "I4"};

        static byte[] safetensors(Random r) {
            ObjectNode h = JsonNodeFactory.instance.objectNode();
            if (r.nextBoolean()) {
                ObjectNode meta = h.putObject("__metadata__");
                meta.put("format", r.nextBoolean() ? "pt" : "x");
                if (r.nextInt(4) == 0) meta.put("n", 1);
            }
            int tensors = r.nextInt(5);
            long off = 0;
            for (int t = 0; t < tensors; t++) {
                ObjectNode e = h.putObject(r.nextInt(10) == 0 ? "" : "t" + t + (r.nextInt(10) == 0 ? ".\u00e9/../x" : ""));
                String dt = DTYPES[r.nextInt(DTYPES.length)];
                e.put("dtype", dt);
                ArrayNode shape = e.putArray("shape");
                long elems = 1;
                int rank = r.nextInt(4);
                for (int i = 0; i < rank; i++) {
                    long d = r.nextInt(10) == 0 ? new long[] {-1, 0, 1L << 40, Long.MAX_VALUE}[r.nextInt(4)] : r.nextInt(6);
                    shape.add(d);
                    elems = elems * Math.max(0, d);
                }
                long bytes = elems * (dt.equals("F64") || dt.equals("I64") ? 8 : dt.equals("F32") || dt.equals("I32") ? 4 : 2);
                long end = r.nextInt(8) == 0 ? off + r.nextInt(100) - 50 : off + bytes;
                ArrayNode offs = e.putArray("data_offsets");
                offs.add(off);
                offs.add(end);
                if (r.nextInt(10) == 0) e.put("extra", 1);
                off = Math.max(off, end);
            }
            byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
            if (r.nextInt(5) == 0) header = Mutator.mutate(header, r, false);
            int pad = r.nextInt(4) == 0 ? r.nextInt(8) : 0;
            long hlen = r.nextInt(10) == 0 ? r.nextLong() : header.length + pad;
            long dataLen = r.nextInt(6) == 0 ? r.nextInt(64) : Math.min(off, 1 << 16);
            ByteBuffer b = ByteBuffer.allocate((int) (8 + header.length + pad + Math.max(0, dataLen))).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(hlen);
            b.put(header);
            for (int i = 0; i < pad; i++) b.put((byte) ' ');
            byte[] data = new byte[(int) Math.max(0, dataLen)];
            r.nextBytes(data);
            b.put(data);
            return b.array();
        }

        static final String[] RC_KEYS = {"vocab_size", "loss_units", "optimizer", "lr_schedule", "grad_clip", "batch_size", "seq_len", "init",
            "accelerator", "accelerator_count", "precision", "claimed_tokens", "claimed_wall_time_s", "from_scratch", "seed", "vocab_sise"};

        static String runConfig(Random r) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            int k = r.nextInt(8);
            for (int i = 0; i < k; i++) o.set(RC_KEYS[r.nextInt(RC_KEYS.length)], value(r, 0));
            String s = o.toString();
            if (r.nextInt(4) == 0) s = s.replaceFirst("\\{", "{\"vocab_size\": " + new String[] {"1e400", "NaN", "-1", "64, \"vocab_size\": 65",
                "99999999999999999999999", "64 /* c */", "64 // c\n", "1.5"}[r.nextInt(8)] + (s.equals("{}") ? "" : ","));
            return s;
        }

        static JsonNode value(Random r, int depth) {
            JsonNodeFactory f = JsonNodeFactory.instance;
            switch (r.nextInt(depth > 3 ? 6 : 9)) {
                case 0: return f.numberNode(r.nextInt(2000) - 1000);
                case 1: return f.numberNode(r.nextDouble() * Math.pow(10, r.nextInt(40) - 20));
                case 2: return f.textNode(new String[] {"adamw", "cosine", "nats", "bits", "normal", "*", "[", "(a+)+$", "", "bf16"}[r.nextInt(10)]);
                case 3: return f.booleanNode(r.nextBoolean());
                case 4: return f.nullNode();
                case 5: return f.numberNode(new java.math.BigInteger(80, r));
                case 6: {
                    ArrayNode a = f.arrayNode();
                    for (int i = r.nextInt(4); i > 0; i--) a.add(value(r, depth + 1));
                    return a;
                }
                default: {
                    ObjectNode o = f.objectNode();
                    String[] keys = {"name", "betas", "eps", "weight_decay", "shape", "peak_lr", "min_lr", "warmup_steps", "total_steps",
                        "pattern", "distribution", "std", "bound", "truncation", "no_decay"};
                    for (int i = r.nextInt(5); i > 0; i--) o.set(keys[r.nextInt(keys.length)], value(r, depth + 1));
                    return o;
                }
            }
        }

        /** Replaces, removes or adds a random field somewhere in the tree; returns its text. */
        static String mutateJson(JsonNode root, Random r) {
            JsonNode copy = root.deepCopy();
            int ops = 1 + r.nextInt(3);
            for (int i = 0; i < ops; i++) {
                List<JsonNode> containers = new ArrayList<>();
                collect(copy, containers);
                JsonNode c = containers.get(r.nextInt(containers.size()));
                if (c instanceof ObjectNode o && o.size() > 0) {
                    List<String> names = new ArrayList<>();
                    o.fieldNames().forEachRemaining(names::add);
                    String n = names.get(r.nextInt(names.size()));
                    switch (r.nextInt(4)) {
                        case 0 -> o.remove(n);
                        case 1 -> o.set(n, value(r, 3));
                        case 2 -> o.set(n + (r.nextBoolean() ? "x" : ""), value(r, 3));
                        default -> {
                            JsonNode v = o.get(n);
                            if (v.isTextual() && v.asText().length() > 0) {
                                byte[] t = Mutator.mutate(v.asText().getBytes(StandardCharsets.UTF_8), r, false);
                                o.put(n, new String(t, StandardCharsets.UTF_8));
                            } else if (v.isNumber()) {
                                o.put(n, v.asLong() + new long[] {1, -1, Long.MIN_VALUE / 2}[r.nextInt(3)]);
                            }
                        }
                    }
                } else if (c instanceof ArrayNode a && a.size() > 0) {
                    int j = r.nextInt(a.size());
                    if (r.nextBoolean()) a.remove(j);
                    else a.set(j, value(r, 3));
                }
            }
            return copy.toString();
        }

        static void collect(JsonNode n, List<JsonNode> out) {
            if (n.isContainerNode()) {
                out.add(n);
                for (JsonNode c : n) collect(c, out);
            }
        }

        /** A random opcode program (protocol 2-5 opcodes with plausible arguments), usually ending in STOP. */
        static byte[] pickle(Random r) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            if (r.nextInt(5) != 0) {
                o.write(0x80);
                o.write(2 + r.nextInt(4));
            }
            String[] globals = {"collections\nOrderedDict\n", "torch._utils\n_rebuild_tensor_v2\n", "torch\nFloatStorage\n", "os\nsystem\n",
                "builtins\neval\n", "torch\nSize\n", "torch._utils\n_rebuild_parameter\n", "pathlib\nPosixPath\n",
                "torch.distributed.checkpoint.metadata\nMetadata\n", "__builtin__\nset\n"};
            int n = 1 + r.nextInt(40);
            for (int i = 0; i < n; i++) {
                switch (r.nextInt(22)) {
                    case 0 -> o.write('(');
                    case 1 -> o.write(new int[] {'t', ')', 0x85, 0x86, 0x87}[r.nextInt(5)]);
                    case 2 -> o.write(new int[] {']', 'l', 'a', 'e'}[r.nextInt(4)]);
                    case 3 -> o.write(new int[] {'}', 'd', 's', 'u'}[r.nextInt(4)]);
                    case 4 -> o.write(new int[] {'N', 0x88, 0x89, '0', '2', '1'}[r.nextInt(6)]);
                    case 5 -> { o.write('K'); o.write(r.nextInt(256)); }
                    case 6 -> { o.write('J'); le(o, r.nextInt(), 4); }
                    case 7 -> { o.write('M'); le(o, r.nextInt(65536), 2); }
                    case 8 -> { o.write(0x8A); int len = r.nextInt(10); o.write(len); for (int j = 0; j < len; j++) o.write(r.nextInt(256)); }
                    case 9 -> { o.write('G'); le(o, Double.doubleToLongBits(r.nextGaussian()), 8); }
                    case 10 -> { byte[] s = ("s" + r.nextInt(100)).getBytes(StandardCharsets.UTF_8); o.write(0x8C); o.write(s.length); o.writeBytes(s); }
                    case 11 -> { int len = r.nextInt(8) == 0 ? r.nextInt() : r.nextInt(20); o.write('X'); le(o, len, 4); o.writeBytes(new byte[Math.max(0, Math.min(len, 20))]); }
                    case 12 -> { o.write('B'); int len = r.nextInt(16); le(o, len, 4); o.writeBytes(new byte[len]); }
                    case 13 -> { o.write('q'); o.write(r.nextInt(8)); }
                    case 14 -> { o.write('h'); o.write(r.nextInt(8)); }
                    case 15 -> o.write(0x94);
                    case 16 -> { o.write('c'); o.writeBytes(globals[r.nextInt(globals.length)].getBytes(StandardCharsets.US_ASCII)); }
                    case 17 -> o.write(0x93);
                    case 18 -> o.write(new int[] {'R', 0x81, 0x92, 'b', 'Q'}[r.nextInt(5)]);
                    case 19 -> { o.write('j'); le(o, r.nextInt(8) == 0 ? -1 : r.nextInt(8), 4); }
                    case 20 -> { o.write(0x95); le(o, r.nextInt(100), 8); }
                    default -> { o.write(r.nextInt(256)); }
                }
            }
            if (r.nextInt(6) != 0) o.write('.');
            return o.toByteArray();
        }

        static void le(ByteArrayOutputStream o, long v, int n) {
            for (int i = 0; i < n; i++) o.write((int) (v >>> (8 * i)) & 0xff);
        }
    }
}
