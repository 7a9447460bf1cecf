package org.trainproof.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.trainproof.TrainproofException;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.checkpoint.Manifests;
import org.trainproof.ledger.CheckpointBodies;
import org.trainproof.ledger.CheckpointLineage;
import org.trainproof.ledger.EntryKinds;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerEntry;
import org.trainproof.ledger.LedgerMetrics;
import org.trainproof.trainlog.LogFindings;
import org.trainproof.trainlog.LogReadResult;
import org.trainproof.trainlog.LogReaders;
import org.trainproof.trainlog.MetricRecord;
import org.trainproof.trainlog.MetricsChunk;
import org.trainproof.verdict.Finding;

/**
 * Builds the analysis input from what an auditor has: a ledger ({@code verify}), or raw logs and
 * checkpoint files ({@code analyze}). The checks themselves never read files or databases.
 */
public final class RunInputs {
    /** Default number of auditor-chosen positions per tensor for exact re-checks with the files. */
    public static final int AUDITOR_K = 512;

    private RunInputs() {}

    /**
     * From a ledger: claims from the genesis {@code run} entry, metric series from {@code metrics}
     * entries, checkpoints (step + manifest) from {@code checkpoint} entries, declared events. With
     * {@code artifactsDir}, the weight checks read exact values from the files at positions drawn
     * from {@code auditorSeed}; otherwise from the coordinate samples the ledger holds.
     */
    public static AnalysisInput fromLedger(Ledger ledger, Path artifactsDir, long auditorSeed, AnalysisConfig config) {
        return fromLedger(ledger, Long.MAX_VALUE, artifactsDir, auditorSeed, config);
    }

    /** As {@link #fromLedger(Ledger, Path, long, AnalysisConfig)}, reading only entries with seq &lt; {@code limit}. */
    public static AnalysisInput fromLedger(Ledger ledger, long limit, Path artifactsDir, long auditorSeed, AnalysisConfig config) {
        return fromLedger(ledger, limit, artifactsDir, auditorSeed, config, true);
    }

    /**
     * As {@link #fromLedger(Ledger, long, Path, long, AnalysisConfig)}; with {@code keepSketches} false the
     * count sketches are dropped as checkpoints are read. No check uses them (only the HTML charts do), and
     * they are two thirds of what the analysis holds: about 4 of 6 KB per tensor per checkpoint.
     */
    public static AnalysisInput fromLedger(Ledger ledger, long limit, Path artifactsDir, long auditorSeed, AnalysisConfig config,
            boolean keepSketches) {
        LedgerCollector c = new LedgerCollector(ledger.path(), limit, artifactsDir, auditorSeed, config, keepSketches);
        ledger.forEachEntry(c);
        return c.finish();
    }

    /**
     * The analysis input built from entries handed over one by one in seq order ({@code verify} feeds it
     * the entries its integrity audit has just decoded, so nothing is read or parsed twice). A failure
     * while taking an entry (a metrics body that does not parse) is kept, later entries are ignored,
     * and {@link #finish} throws it: the audit that feeds the collector is not interrupted.
     */
    public static final class LedgerCollector implements java.util.function.Consumer<LedgerEntry> {
        private final Path ledgerPath;
        private final long limit;
        private final Path artifactsDir;
        private final long auditorSeed;
        private final AnalysisConfig config;
        private final boolean keepSketches;
        private JsonNode genesis;
        private final Map<String, SeriesBuilder> series = new LinkedHashMap<>();
        private final List<RunEvent> events = new ArrayList<>();
        private boolean folded;
        // Checkpoint entries by seq; which of them form the trajectory is decided after the pass, by the
        // resume claims (record --resume): a checkpoint of an abandoned attempt is not part of it.
        private final Map<Long, StepCheckpoint> bySeq = new HashMap<>();
        private final Map<Long, String> nameBySeq = new HashMap<>();
        private final CheckpointLineage lineage = new CheckpointLineage();
        private RuntimeException failure;

        /** Takes entries with seq &lt; {@code limit}; {@code keepSketches} as in {@link RunInputs#fromLedger}. */
        public LedgerCollector(Path ledgerPath, long limit, Path artifactsDir, long auditorSeed, AnalysisConfig config,
                boolean keepSketches) {
            this.ledgerPath = ledgerPath;
            this.limit = limit;
            this.artifactsDir = artifactsDir;
            this.auditorSeed = auditorSeed;
            this.config = config;
            this.keepSketches = keepSketches;
        }

        @Override
        public void accept(LedgerEntry e) {
            if (failure != null || e.seq() >= limit) return;
            try {
                take(e);
            } catch (RuntimeException ex) {
                failure = ex;
            }
        }

        private void take(LedgerEntry e) {
            switch (e.kind()) {
                case EntryKinds.RUN -> genesis = e.body();
                case EntryKinds.CHECKPOINT -> {
                    List<CheckpointBodies.NamedManifest> ms = CheckpointBodies.manifests(e);
                    Optional<Long> step = e.step();
                    if (!ms.isEmpty() && ms.get(0).manifest() != null && step.isPresent()) {
                        CheckpointManifest m = ms.get(0).manifest();
                        lineage.add(e.seq(), step.get(), CheckpointLineage.resumeFrom(e).orElse(null));
                        bySeq.put(e.seq(), new StepCheckpoint(step.get(), keepSketches ? m : withoutSketches(m)));
                        nameBySeq.put(e.seq(), ms.get(0).name());
                        folded |= m.folded(); // shards may be on other hosts: weight checks use the ledger's samples
                    }
                }
                case EntryKinds.EVENT -> events.add(event(e));
                case EntryKinds.METRICS -> addChunk(series, LedgerMetrics.parseChunk(ledgerPath, e));
                default -> { }
            }
        }

        /** The analysis input of the entries taken; throws what taking one of them threw. */
        public AnalysisInput finish() {
            if (failure != null) throw failure;
            List<StepCheckpoint> checkpoints = new ArrayList<>();
            Map<Long, Path> files = new HashMap<>();
            for (CheckpointLineage.Point p : lineage.kept()) {
                checkpoints.add(bySeq.get(p.seq()));
                if (artifactsDir != null) files.put(p.step(), artifactsDir.resolve(nameBySeq.get(p.seq())));
            }
            for (CheckpointLineage.Resume r : lineage.resumes()) {
                events.add(ResumeClaims.event(r));
                long from = r.from();
                series.values().forEach(b -> b.resumeAfter(from));
            }
            RunClaims claims = genesis == null ? RunClaims.none() : RunClaims.parse(genesis);
            checkpoints.sort(java.util.Comparator.comparingLong(StepCheckpoint::step));
            // A checkpoint file deleted since (HF save_total_limit rotation) is a warning of the integrity audit
            // (ARTIFACT_MISSING); the weight checks then use the ledger's recorded samples for every checkpoint
            // rather than mixing two position sets, and the report names that source.
            boolean allPresent = files.values().stream().allMatch(java.nio.file.Files::exists);
            Trajectory t = artifactsDir == null ? Trajectory.fromLedger(checkpoints)
                    : folded ? Trajectory.fromLedger(checkpoints, Trajectory.SHARDED)
                    : !allPresent ? Trajectory.fromLedger(checkpoints, Trajectory.FILES_MISSING)
                    : Trajectory.fromArtifacts(checkpoints, fileValues(files), auditorSeed, AUDITOR_K);
            return new AnalysisInput(claims, build(series), t, events, config);
        }
    }

    static CheckpointManifest withoutSketches(CheckpointManifest m) {
        List<TensorManifest> ts = new ArrayList<>(m.tensors().size());
        for (TensorManifest t : m.tensors()) {
            ts.add(t.sketch() == null ? t : new TensorManifest(t.name(), t.dtype(), t.shape(), t.file(), t.begin(), t.end(), t.sha256(),
                    t.stats(), t.values(), t.sample(), null, t.slice(), t.slices()));
        }
        return new CheckpointManifest(m.format(), m.root(), m.files(), ts, m.rank(), m.worldSize(), m.host());
    }

    /** Adds one metrics chunk's rows to the per-metric series (one pass over the ledger reads everything). */
    private static void addChunk(Map<String, SeriesBuilder> series, MetricsChunk c) {
        boolean windowed = windowedFormat(c.format().cliName());
        SeriesBuilder[] byIndex = new SeriesBuilder[c.metrics().size()];
        for (int i = 0; i < byIndex.length; i++) {
            byIndex[i] = series.computeIfAbsent(c.metrics().get(i), SeriesBuilder::new);
            byIndex[i].windowed |= windowed;
        }
        for (MetricsChunk.Row r : c.rows()) {
            byIndex[r.metric()].add(r.step(), r.value(), r.wallTime());
        }
    }

    /** Logs and checkpoint files with no ledger: what an auditor does with a published export. */
    public static AnalysisInput fromFiles(List<Path> paths, RunClaims claims, long auditorSeed, AnalysisConfig config,
            List<Finding> readerFindings) {
        Map<String, SeriesBuilder> series = new LinkedHashMap<>();
        List<StepCheckpoint> checkpoints = new ArrayList<>();
        Map<Long, Path> files = new HashMap<>();
        for (Path p : paths) {
            if (!Files.exists(p)) throw TrainproofException.badInput(p, "no such file or directory");
            if (CheckpointBodies.isCheckpoint(p)) {
                CheckpointManifest m = Manifests.of(p);
                long step = stepOf(p, m).orElseThrow(() -> TrainproofException.badInput(p,
                        "cannot tell the training step of this checkpoint (name it step-N.safetensors or checkpoint-N/, or set metadata 'step')"));
                if (files.put(step, p) != null) throw TrainproofException.badInput(p, "a second checkpoint for step " + step);
                checkpoints.add(new StepCheckpoint(step, m));
                continue;
            }
            LogReadResult r = LogReaders.read(p);
            readerFindings.addAll(r.findings());
            boolean windowed = windowedFormat(r.format().cliName())
                    || r.findings().stream().anyMatch(f -> f.code().equals(LogFindings.WINDOWED_AVERAGE));
            boolean ordinal = r.findings().stream().anyMatch(f -> f.code().equals(LogFindings.STEPS_BY_ORDER));
            for (MetricRecord rec : r.records()) {
                SeriesBuilder b = series.computeIfAbsent(rec.metric(), SeriesBuilder::new);
                b.windowed |= windowed;
                b.ordinal |= ordinal;
                b.add(rec.step(), rec.value(), rec.wallTime());
            }
        }
        checkpoints.sort(java.util.Comparator.comparingLong(StepCheckpoint::step));
        Trajectory t = checkpoints.isEmpty() ? Trajectory.empty()
                : Trajectory.fromArtifacts(checkpoints, fileValues(files), auditorSeed, AUDITOR_K);
        return new AnalysisInput(claims, build(series), t, List.of(), config);
    }

    private static final Pattern STEP_IN_NAME = Pattern.compile(
            "(?:^|[^a-z])(?:step|checkpoint|ckpt|iter|global_step)[-_]?0*(\\d{1,18})(?:\\D|$)", Pattern.CASE_INSENSITIVE);

    /** The step of a checkpoint: safetensors metadata "step"/"global_step", else the file or directory name. */
    static Optional<Long> stepOf(Path p, CheckpointManifest m) {
        if (m.info() != null) { // a step the container itself states (Lightning global_step, Megatron iteration, ...)
            for (String k : List.of("global_step", "iteration", "global_steps", "iter_num")) {
                if (m.info().get(k) instanceof Long v && v >= 0) return Optional.of(v);
            }
        }
        for (var f : m.files()) {
            if (f.metadata() == null) continue;
            for (String k : List.of("step", "global_step")) {
                String v = f.metadata().get(k);
                if (v != null && v.matches("\\d{1,18}")) return Optional.of(Long.parseLong(v));
            }
        }
        for (Path q = p.toAbsolutePath(); q != null && q.getFileName() != null; q = q.getParent()) {
            Matcher mt = STEP_IN_NAME.matcher(q.getFileName().toString());
            if (mt.find()) return Optional.of(Long.parseLong(mt.group(1)));
            if (q.equals(p.toAbsolutePath().getParent())) break; // the name, then its directory; no further
        }
        return Optional.empty();
    }

    /**
     * Formats whose logged loss is a mean over the logging window rather than the loss at the step
     * (formats.md §5.1 HF Trainer: mean since the last log; §5.6 Megatron: mean over log_interval).
     */
    static boolean windowedFormat(String cliName) {
        return cliName.equals("hf-trainer-state") || cliName.equals("megatron") || cliName.equals("hf-console");
    }

    private static RunEvent event(LedgerEntry e) {
        String text = e.body().path("text").asText("");
        String kind = e.body().path("event").asText(e.body().path("type").asText("event"));
        return new RunEvent(e.step().orElse(-1L), kind, text);
    }

    /** Exact values from checkpoint files, streaming each requested tensor once. */
    private static TensorValues fileValues(Map<Long, Path> files) {
        return (step, tensor, positions) -> {
            Path p = files.get(step);
            if (p == null) throw new IllegalStateException("no checkpoint file for step " + step);
            double[] out = new double[positions.length];
            int[] next = {0};
            org.trainproof.checkpoint.TensorValues.visit(p, tensor, (first, v, n) -> {
                while (next[0] < positions.length && positions[next[0]] < first + n) {
                    long pos = positions[next[0]];
                    if (pos >= first) out[next[0]] = v[(int) (pos - first)];
                    next[0]++;
                }
            });
            if (next[0] != positions.length) throw new IllegalStateException(tensor + ": positions beyond the tensor");
            return out;
        };
    }

    private static Map<String, MetricSeries> build(Map<String, SeriesBuilder> series) {
        Map<String, MetricSeries> out = new LinkedHashMap<>();
        series.forEach((k, b) -> out.put(k, b.build()));
        return out;
    }

    private static final class SeriesBuilder {
        final String metric;
        long[] steps = new long[16];
        double[] values = new double[16];
        double[] times = new double[16];
        int n;
        boolean anyTime;
        boolean windowed;
        boolean ordinal;

        SeriesBuilder(String metric) {
            this.metric = metric;
        }

        void add(long step, double value, Double wallTime) {
            if (n == steps.length) {
                steps = java.util.Arrays.copyOf(steps, 2 * n);
                values = java.util.Arrays.copyOf(values, 2 * n);
                times = java.util.Arrays.copyOf(times, 2 * n);
            }
            steps[n] = step;
            values[n] = value;
            times[n] = wallTime == null ? Double.NaN : wallTime;
            anyTime |= wallTime != null;
            n++;
        }

        /** A claimed resume from step {@code from} ({@link ResumeClaims#order}): the latest records of each step after it. */
        long resumeFrom = Long.MAX_VALUE;

        void resumeAfter(long from) {
            resumeFrom = Math.min(resumeFrom, from);
        }

        MetricSeries build() {
            if (resumeFrom != Long.MAX_VALUE) {
                int m = ResumeClaims.order(steps, values, times, n, resumeFrom);
                n = m;
            }
            return new MetricSeries(metric, java.util.Arrays.copyOf(steps, n), java.util.Arrays.copyOf(values, n),
                    anyTime ? java.util.Arrays.copyOf(times, n) : null, windowed, 0, ordinal);
        }
    }
}
