package org.trainproof.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.CheckpointBodies;
import org.trainproof.ledger.EntryDraft;
import org.trainproof.ledger.EntryKinds;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerEntry;
import org.trainproof.ledger.LogRecorder;
import org.trainproof.trainlog.LogFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "record", mixinStandardHelpOptions = true, description = {
    "Append entries for one training step in one transaction, with a new signed checkpoint.",
    "--log FILE... appends 'metrics' entries with the records logged since the last record of each file",
    "(where it left off is read from the ledger), with the SHA-256 and byte range of their raw bytes.",
    "Exit 0 on success, 1 when a log's recorded history was altered (LOG_HISTORY_REWRITTEN), 2 usage, 3 bad input."})
final class RecordCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER")
    Path ledger;

    @Mixin
    KeyOptions key;

    @Mixin
    TrustedTimeOptions trusted = new TrustedTimeOptions();

    @Option(names = "--step", description = "The training step (required with --checkpoint, --event, --end).")
    Long step;

    @Option(names = "--log", paramLabel = "FILE", arity = "1..*", description = "Training-log files or run directories (repeatable): their new records as 'metrics' entries.")
    List<Path> logs = new ArrayList<>();

    @Option(names = "--log-format", paramLabel = "F", description = "Read every --log as this format (as 'trainproof metrics --log-format'); default: as recorded before, else detected.")
    String logFormat;

    @Option(names = "--checkpoint", paramLabel = "PATH", description = "A checkpoint file or directory (repeatable): one 'checkpoint' entry.")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--shard-manifest", paramLabel = "FILE", arity = "1..*", description = "Shard manifests of one distributed checkpoint, one per rank (inspect --json --rank R --world-size W): folded into one 'checkpoint' entry (docs/distributed.md).")
    List<Path> shardManifests = new ArrayList<>();

    @Option(names = "--name", paramLabel = "DIR", description = "With --shard-manifest: the checkpoint's directory relative to 'verify --artifacts DIR' (default '.').")
    String shardName = ".";

    @Option(names = "--base", paramLabel = "DIR", description = "Store checkpoint and log names relative to DIR (for paths inside it), so 'verify --artifacts DIR' finds both; default: a checkpoint relative to its parent folder, a log as given. Use the same DIR on every call.")
    Path base;

    @Option(names = "--resume", paramLabel = "STEP", description = "With --checkpoint or --shard-manifest: training was restarted from the recorded checkpoint at STEP; the new step need only be after STEP (checkpoints after STEP recorded before are the abandoned attempt's). Recorded in the checkpoint entry.")
    Long resume;

    @Option(names = "--event", paramLabel = "TEXT", description = "Append an 'event' entry (resume, restart, config change, note).")
    String event;

    @Option(names = "--end", description = "Append the 'end' entry: the run is over, nothing can follow.")
    boolean end;

    @Option(names = "--serve", description = "Serve append requests: read JSON lines on stdin (the fields of these options: step, log,"
            + " log_format, checkpoint, shard_manifest, name, resume, event, end; optional id), and answer each on stdout, one JSON line,"
            + " only once its entries are durable under a signed checkpoint (or with the request's error; the session goes on)."
            + " Requests in flight together share one commit (group commit). Ends at end of input, after committing what was read."
            + " See docs/cli.md.")
    boolean serve;

    @Override
    public Integer call() {
        if (serve) {
            if (step != null || !logs.isEmpty() || !checkpoints.isEmpty() || !shardManifests.isEmpty() || resume != null || event != null || end) {
                throw TrainproofException.usage("--serve takes what to record from its input lines; give only LEDGER, key, --base, --log-format and trusted-time options");
            }
            if (!trusted.witnesses.isEmpty()) {
                throw TrainproofException.usage("--witness is not served (cosignatures are collected after each record); run"
                        + " 'trainproof witness sync LEDGER' after the session");
            }
            LogFormat format = parseFormat(logFormat);
            var k = key.load();
            return RecordServer.serve(ledger, k, trusted, base, format,
                    new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)),
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        }
        validate(step, logs, checkpoints, shardManifests, resume, event, end);
        LogFormat format = parseFormat(logFormat);
        List<EntryDraft> drafts = stepDrafts(step, resume, checkpoints, shardManifests, shardName, event, end, base, spec.commandLine().getErr());
        if (drafts.isEmpty() && logs.isEmpty()) throw TrainproofException.usage("nothing to record: give --checkpoint, --shard-manifest, --event, --end or --log");
        List<LogRecorder.LogInput> inputs = new ArrayList<>();
        for (Path p : logs) inputs.add(new LogRecorder.LogInput(LogSourceNames.input(p), format));
        var k = key.load();
        var out = spec.commandLine().getOut();
        try (Ledger l = Ledger.openForAppend(ledger, k)) {
            if (!checkpoints.isEmpty() || !shardManifests.isEmpty()) CheckpointStepOrder.require(ledger, l, step, resume);
            trusted.attach(l);
            long[] entries = {0};
            // each entry's line is printed once its transaction has committed, and the entry dropped
            LogRecorder.Result r = new LogRecorder(l, RecordBase.naming(base, ledger)).record(inputs, drafts, e -> {
                entries[0]++;
                out.println("entry " + e.seq() + " " + e.kind() + " " + describe(e) + " " + e.leafHash());
            });
            for (LogRecorder.SourceResult s : r.sources()) {
                out.println("log " + s.source() + " (" + s.format().cliName() + "): " + s.records() + " new records in " + s.chunks()
                        + " entries, bytes [" + s.start() + "," + s.end() + ")");
            }
            if (entries[0] == 0) out.println("nothing new to record");
            trusted.report(l, out, spec.commandLine().getErr());
        }
        return ExitCode.OK;
    }

    static LogFormat parseFormat(String logFormat) {
        if (logFormat == null) return null;
        try {
            return LogFormat.parse(logFormat);
        } catch (IllegalArgumentException e) {
            throw TrainproofException.usage(e.getMessage());
        }
    }

    /** The checks of the options' combination, shared with {@code --serve} requests (same messages). */
    static void validate(Long step, List<Path> logs, List<Path> checkpoints, List<Path> shardManifests, Long resume, String event, boolean end) {
        boolean stepEntries = !checkpoints.isEmpty() || !shardManifests.isEmpty() || event != null || end;
        if (stepEntries && step == null) throw TrainproofException.usage("--step is required with --checkpoint, --shard-manifest, --event or --end");
        if (!checkpoints.isEmpty() && !shardManifests.isEmpty()) throw TrainproofException.usage("--checkpoint and --shard-manifest are two ways to record one checkpoint; give one");
        if (step != null && step < 0) throw TrainproofException.usage("--step must be >= 0");
        if (resume != null && checkpoints.isEmpty() && shardManifests.isEmpty()) throw TrainproofException.usage("--resume is a claim about a new checkpoint: give it with --checkpoint or --shard-manifest");
        if (resume != null && resume < 0) throw TrainproofException.usage("--resume must be >= 0");
        if (!stepEntries && logs.isEmpty()) throw TrainproofException.usage("nothing to record: give --checkpoint, --shard-manifest, --event, --end or --log");
    }

    /** The checkpoint, event and end drafts of one record (after {@link #validate}). */
    static List<EntryDraft> stepDrafts(Long step, Long resume, List<Path> checkpoints, List<Path> shardManifests, String shardName,
            String event, boolean end, Path base, java.io.PrintWriter progressErr) {
        List<EntryDraft> drafts = new ArrayList<>();
        if (!checkpoints.isEmpty()) {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            b.put("step", step);
            if (resume != null) b.put(org.trainproof.ledger.CheckpointLineage.RESUME_FROM, resume);
            long total = checkpoints.stream().mapToLong(Progress::sizeOf).sum();
            Progress.Bytes progress = progressErr == null ? null : Progress.forBytes("record", total, progressErr);
            b.set("checkpoint", CheckpointBodies.of(checkpoints, org.trainproof.checkpoint.ManifestOptions.defaults(), progress, base));
            if (progress != null) progress.finish();
            drafts.add(new EntryDraft(EntryKinds.CHECKPOINT, b));
        }
        if (!shardManifests.isEmpty()) {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            b.put("step", step);
            if (resume != null) b.put(org.trainproof.ledger.CheckpointLineage.RESUME_FROM, resume);
            b.set("checkpoint", org.trainproof.ledger.ShardManifests.body(shardManifests, shardName));
            drafts.add(new EntryDraft(EntryKinds.CHECKPOINT, b));
        }
        if (event != null) {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            b.put("step", step);
            b.put("text", event);
            drafts.add(new EntryDraft(EntryKinds.EVENT, b));
        }
        if (end) {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            b.put("step", step);
            drafts.add(new EntryDraft(EntryKinds.END, b));
        }
        return drafts;
    }

    static String describe(LedgerEntry e) {
        var b = e.body();
        if (e.kind().equals(EntryKinds.METRICS)) {
            return b.path("source").asText() + " [" + b.path("byte_range").path(0).asLong() + "," + b.path("byte_range").path(1).asLong()
                    + ") " + b.path("records").size() + " records";
        }
        return "step " + b.path("step").asLong();
    }
}
