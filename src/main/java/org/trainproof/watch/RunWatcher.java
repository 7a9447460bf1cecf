package org.trainproof.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.CheckpointBodies;
import org.trainproof.ledger.EntryDraft;
import org.trainproof.ledger.EntryKinds;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerEntry;
import org.trainproof.ledger.LogRecorder;
import org.trainproof.trainlog.LogFormat;
import org.trainproof.trainlog.LogReaders;

/**
 * Watches a training run directory and records into its ledger, beside the training job: every
 * complete new checkpoint ({@link CheckpointCandidates}) as a {@code checkpoint} entry, and the new
 * records of every log file as {@code metrics} entries ({@link LogRecorder}). All state that matters
 * comes from the ledger (which checkpoints and which log bytes are recorded), so a watcher killed at
 * any moment and started again records nothing twice and skips nothing; what it keeps in memory
 * (the previous poll's file sizes) only decides when to look again.
 *
 * <p>Names in the ledger are relative to the run directory ({@code checkpoint-500/model.safetensors},
 * {@code logs/train.jsonl}), so {@code verify --artifacts RUN_DIR} re-checks all of them; with
 * {@code --base DIR} (a folder holding the run directory) relative to DIR, for paths inside it, as
 * {@code record --base DIR}, so {@code verify --artifacts DIR} also finds {@code --log} files beside the run directory.
 * {@link #requestStop()} (from a signal handler) lets the entry in progress finish; the loop then
 * returns. Not thread-safe apart from {@link #requestStop()}.
 */
public final class RunWatcher {
    /** Log files found automatically: these names, anywhere up to {@link #LOG_DEPTH} below the run directory, outside checkpoints. */
    static boolean looksLikeLog(String name) {
        return name.endsWith(".jsonl") || name.endsWith(".log") || name.endsWith(".txt") || name.endsWith(".csv")
                || name.equals("trainer_state.json") || name.startsWith("events.out.tfevents.");
    }

    static final int LOG_DEPTH = 4;

    /** What to watch: the run directory, extra log paths, the poll interval, and a poll limit (0: until stopped). */
    public record Options(Path runDir, List<Path> logs, Duration interval, long maxPolls, List<String> excludes, Path base) {
        public Options {
            runDir = runDir.toAbsolutePath().normalize();
            logs = logs.stream().map(p -> p.toAbsolutePath().normalize()).toList();
            excludes = List.copyOf(excludes);
            base = base == null ? null : base.toAbsolutePath().normalize();
            if (base != null && !runDir.startsWith(base)) {
                throw TrainproofException.usage("--base " + base + ": the run directory " + runDir + " is not inside it");
            }
        }

        public Options(Path runDir, List<Path> logs, Duration interval, long maxPolls, List<String> excludes) {
            this(runDir, logs, interval, maxPolls, excludes, null);
        }

        public Options(Path runDir, List<Path> logs, Duration interval, long maxPolls) {
            this(runDir, logs, interval, maxPolls, List.of());
        }

        /** The folder stored names are relative to: {@code --base DIR}, else the run directory. */
        Path nameBase() {
            return base != null ? base : runDir;
        }
    }

    private record LogFileState(long size, long mtime) {}

    private final Ledger ledger;
    private final Options opt;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Set<String> recordedCheckpoints = new HashSet<>();
    private final Map<String, List<CheckpointCandidates.FileState>> lastSnapshot = new HashMap<>();
    private final Map<Path, LogFileState> lastLog = new HashMap<>();
    private final Set<Path> refusedLogs = new HashSet<>();
    private final Map<Path, String> lastLogProblem = new HashMap<>();
    private final Set<String> recordedSources = new HashSet<>();
    private List<Path> lastChoice = List.of();
    private List<Path> lastIgnored = List.of();
    private LogRecorder recorder;
    private int appended;
    private boolean integrityProblem;

    public RunWatcher(Ledger ledger, Options opt, PrintWriter out, PrintWriter err) {
        this.ledger = ledger;
        this.opt = opt;
        this.out = out;
        this.err = err;
        if (!Files.isDirectory(opt.runDir())) throw TrainproofException.badInput(opt.runDir(), "run directory does not exist");
        // Which checkpoints are in the ledger: the first component of the file names of checkpoint entries.
        ledger.forEachEntry(e -> {
            if (!e.kind().equals(EntryKinds.CHECKPOINT)) return;
            JsonNode cp = e.body().get("checkpoint");
            // Names are relative to --base when given: the run directory's path inside it comes first.
            for (String recorded : CheckpointBodies.recordedFileNames(cp instanceof ObjectNode o ? o : null)) {
                String name = inRunDir(recorded);
                int slash = name.indexOf('/');
                recordedCheckpoints.add(slash < 0 ? name : name.substring(0, slash));
            }
        });
        org.trainproof.ledger.LedgerMetrics.forEachChunk(ledger, ce -> recordedSources.add(inRunDir(ce.chunk().source())));
        this.recorder = newRecorder();
    }

    /** A stored name (relative to {@code --base} when given) as a name relative to the run directory. */
    private String inRunDir(String stored) {
        if (opt.nameBase().equals(opt.runDir())) return stored;
        String prefix = opt.nameBase().relativize(opt.runDir()).toString().replace('\\', '/') + "/";
        return stored.startsWith(prefix) ? stored.substring(prefix.length()) : stored;
    }

    private LogRecorder newRecorder() {
        return new LogRecorder(ledger, s -> {
            Path p = Path.of(s).toAbsolutePath().normalize();
            Path base = opt.nameBase();
            return (p.startsWith(base) ? base.relativize(p) : p).toString().replace('\\', '/');
        });
    }

    /** Asks the loop to stop after the entry in progress; safe from any thread. */
    public void requestStop() {
        stop.countDown();
    }

    public boolean stopRequested() {
        return stop.getCount() == 0;
    }

    /** Entries appended so far. */
    public int appended() {
        return appended;
    }

    /**
     * Polls until stopped or {@code maxPolls} polls are done. Returns 0, or 1 when a log's recorded
     * history was found altered (that log is then no longer recorded; the others are).
     */
    public int run() {
        long polls = 0;
        while (!stopRequested()) {
            poll();
            polls++;
            if (opt.maxPolls() > 0 && polls >= opt.maxPolls()) break;
            try {
                if (stop.await(opt.interval().toMillis(), TimeUnit.MILLISECONDS)) break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        out.flush();
        err.flush();
        return integrityProblem ? ExitCode.INTEGRITY : ExitCode.OK;
    }

    /** One look at the run directory: logs first (records up to the checkpoint), then checkpoints. */
    void poll() {
        for (Path log : logFiles()) {
            if (stopRequested()) return;
            recordLog(log);
        }
        List<CheckpointCandidates.Candidate> found;
        try {
            found = CheckpointCandidates.find(opt.runDir());
        } catch (IOException e) {
            err.println("trainproof watch: cannot list " + opt.runDir() + ": " + e.getMessage());
            return;
        }
        LogSources sources = new LogSources(opt.runDir(), opt.excludes());
        for (CheckpointCandidates.Candidate c : found) {
            if (stopRequested()) return;
            if (recordedCheckpoints.contains(c.name()) || sources.excluded(Path.of(c.name()))) continue;
            recordCheckpoint(c);
        }
    }

    private void recordCheckpoint(CheckpointCandidates.Candidate c) {
        try {
            List<CheckpointCandidates.FileState> now = CheckpointCandidates.snapshot(c);
            List<CheckpointCandidates.FileState> before = lastSnapshot.put(c.name(), now);
            if (CheckpointCandidates.incomplete(c, now, opt.runDir()) != null || !now.equals(before)) return;
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("step", c.step());
            body.set("checkpoint", CheckpointBodies.of(List.of(c.path()), org.trainproof.checkpoint.ManifestOptions.defaults(), null, opt.base()));
            // The files must not have changed while they were hashed.
            if (!CheckpointCandidates.snapshot(c).equals(now)) return;
            List<LedgerEntry> added = ledger.append(List.of(new EntryDraft(EntryKinds.CHECKPOINT, body)));
            recordedCheckpoints.add(c.name());
            lastSnapshot.remove(c.name());
            for (LedgerEntry e : added) {
                appended++;
                out.println("entry " + e.seq() + " checkpoint step " + c.step() + " " + c.name() + " (" + now.size() + " files)");
            }
            out.flush();
        } catch (IOException | TrainproofException e) {
            // Vanished or unreadable while being written: looked at again next poll.
            lastSnapshot.remove(c.name());
            note(c.path(), e.getMessage());
        }
    }

    private void recordLog(Path log) {
        if (refusedLogs.contains(log)) return;
        LogFileState st;
        try {
            st = new LogFileState(Files.size(log), Files.getLastModifiedTime(log).toMillis());
        } catch (IOException e) {
            return;
        }
        if (st.equals(lastLog.get(log))) return;
        try {
            if (st.size() == 0) return;
            LogFormat f = LogReaders.detect(log);
            if (f == LogFormat.EMPTY) return;
            // each entry is printed once committed and then dropped: a long backlog is not held in memory
            recorder.record(List.of(new LogRecorder.LogInput(log, null)), List.of(), e -> {
                appended++;
                JsonNode b = e.body();
                recordedSources.add(inRunDir(b.path("source").asText()));
                out.println("entry " + e.seq() + " metrics " + b.path("source").asText() + " [" + b.path("byte_range").path(0).asLong() + ","
                        + b.path("byte_range").path(1).asLong() + ") " + b.path("records").size() + " records");
            });
            out.flush();
            lastLog.put(log, st);
            lastLogProblem.remove(log);
        } catch (TrainproofException e) {
            recorder = newRecorder(); // its state may be ahead of the ledger
            if (e.exitCode() == ExitCode.INTEGRITY) {
                integrityProblem = true;
                refusedLogs.add(log);
                err.println("trainproof watch: " + e.getMessage() + "; no longer recording this file");
                err.flush();
            } else {
                note(log, e.getMessage()); // not a log (yet), or half written: looked at again when it changes
                lastLog.put(log, st);
            }
        }
    }

    private void note(Path p, String msg) {
        if (!msg.equals(lastLogProblem.put(p, msg))) {
            err.println("trainproof watch: not recorded yet: " + msg);
            err.flush();
        }
    }

    /** The explicit logs, then log-like files under the run directory outside checkpoints. */
    private List<Path> logFiles() {
        List<Path> explicit = new ArrayList<>();
        for (Path p : opt.logs()) if (Files.isRegularFile(p)) explicit.add(p);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(opt.runDir(), LOG_DEPTH)) {
            s.filter(Files::isRegularFile).sorted().forEach(p -> {
                Path rel = opt.runDir().relativize(p);
                for (int i = 0; i < rel.getNameCount() - 1; i++) {
                    if (isCheckpointDir(rel.getName(i).toString())) return;
                }
                String name = p.getFileName().toString();
                if (looksLikeLog(name) && !CheckpointCandidates.isTemp(name) && !p.equals(ledger.path().toAbsolutePath().normalize())
                        && !out.contains(p)) {
                    out.add(p);
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // A file vanished while listing: the next poll lists again.
        }
        List<Path> chosen = new LogSources(opt.runDir(), opt.excludes()).select(explicit, out, recordedSources);
        List<Path> ignored = new ArrayList<>(out);
        ignored.removeAll(chosen);
        // Said again whenever the choice or the set of logs left out changes (a log that appears later,
        // such as trainer_state.json after the first save, is named when it appears).
        if (!chosen.equals(lastChoice) || !ignored.equals(lastIgnored)) {
            lastChoice = chosen;
            lastIgnored = ignored;
            if (!ignored.isEmpty()) {
                LogSources names = new LogSources(opt.runDir(), List.of());
                err.println("trainproof watch: one source of truth: recording " + chosen.stream().map(names::relName).toList()
                        + ", not " + ignored.stream().map(names::relName).toList() + " (choose with --log FILE)");
                err.flush();
            }
        }
        return chosen;
    }

    private static boolean isCheckpointDir(String name) {
        return name.matches("(?:checkpoint-|iter_|global_step|step[-_]?)\\d+") || name.startsWith("tmp");
    }
}
