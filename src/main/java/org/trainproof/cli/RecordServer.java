package org.trainproof.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.crypto.SigningKey;
import org.trainproof.ledger.EntryDraft;
import org.trainproof.ledger.GroupCommitAppender;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerEntry;
import org.trainproof.ledger.LogRecorder;
import org.trainproof.trainlog.LogFormat;

/**
 * {@code record LEDGER --serve}: one long-running appender (docs/cli.md, "record --serve"). Each input
 * line is one request, a JSON object with the fields of record's options; each is answered by one
 * JSON line, only after its entries are durable under a signed checkpoint, or with its error (line
 * number, exit code, message): a bad request fails alone and the session goes on.
 *
 * <p>Requests of only {@code event}/{@code end} entries are group-committed: those in flight together
 * share one transaction, one signed checkpoint and one fsync ({@link GroupCommitAppender}). Requests
 * with {@code log}, {@code checkpoint} or {@code shard_manifest} depend on what the ledger holds (where
 * each log was left off, the last checkpoint step), so each runs alone on the committer thread, in input
 * order, exactly as one {@code record} run: the same checks, {@link LogRecorder}, one transaction.
 */
final class RecordServer {
    /** Requests read but not yet answered: bounds memory when a client pipelines faster than commits. */
    static final int MAX_IN_FLIGHT = 4096;

    static final Set<String> FIELDS = Set.of("id", "step", "log", "log_format", "checkpoint", "shard_manifest", "name", "resume",
            "event", "end");

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordServer() {}

    /** One parsed request. */
    private record Request(long line, JsonNode id, Long step, List<Path> logs, LogFormat format, List<Path> checkpoints,
            List<Path> shardManifests, String name, Long resume, String event, boolean end) {
        boolean dependsOnLedger() {
            return !logs.isEmpty() || !checkpoints.isEmpty() || !shardManifests.isEmpty();
        }
    }

    static int serve(Path ledgerPath, SigningKey key, TrustedTimeOptions trusted, Path base, LogFormat defaultFormat, BufferedReader in,
            PrintWriter out, PrintWriter err) {
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        try (Ledger ledger = Ledger.openForAppend(ledgerPath, key)) {
            trusted.attach(ledger);
            LogRecorder[] recorder = new LogRecorder[1]; // committer thread only
            try (GroupCommitAppender appender = new GroupCommitAppender(ledger)) {
                ObjectNode ready = JsonNodeFactory.instance.objectNode();
                ready.put("ready", true);
                ready.put("size", ledger.size());
                reply(out, ready);
                long line = 0;
                String text;
                while ((text = readLine(in)) != null) {
                    line++;
                    if (text.isBlank()) continue;
                    long n = line;
                    JsonNode id = null;
                    try {
                        JsonNode node = parse(text);
                        id = node.get("id");
                        Request r = request(n, node, defaultFormat);
                        inFlight.acquireUninterruptibly();
                        CompletableFuture<GroupCommitAppender.Committed> f;
                        try {
                            f = r.dependsOnLedger()
                                    ? appender.submitTask(l -> runAlone(l, ledgerPath, base, r, recorder))
                                    : appender.submit(RecordCommand.stepDrafts(r.step(), null, List.of(), List.of(), ".", r.event(), r.end(), base, null));
                        } catch (RuntimeException e) {
                            inFlight.release();
                            throw e;
                        }
                        f.whenComplete((c, t) -> {
                            inFlight.release();
                            if (t == null) {
                                reply(out, ack(r, c));
                            } else {
                                reply(out, error(r.line(), r.id(), t instanceof CompletionException && t.getCause() != null ? t.getCause() : t));
                            }
                        });
                    } catch (RuntimeException e) {
                        reply(out, error(n, id, e));
                    }
                }
            } // close(): commits and answers everything read
            trusted.report(ledger, err, err); // --tsa: tokens stored and failures, on stderr (stdout is the protocol)
        }
        return ExitCode.OK;
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw TrainproofException.badInput("standard input", "cannot read: " + e.getMessage(), e);
        }
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) throw TrainproofException.usage("a request is one JSON object per line, e.g. {\"step\":5,\"event\":\"note\"}");
            return node;
        } catch (JsonProcessingException e) {
            throw TrainproofException.usage("not JSON: " + e.getOriginalMessage());
        }
    }

    private static Request request(long line, JsonNode o, LogFormat defaultFormat) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw TrainproofException.usage("unknown field '" + f + "' (fields: " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")");
        }
        Long step = integer(o, "step");
        Long resume = integer(o, "resume");
        List<Path> logs = paths(o, "log");
        List<Path> checkpoints = paths(o, "checkpoint");
        List<Path> shards = paths(o, "shard_manifest");
        String name = text(o, "name");
        String event = text(o, "event");
        JsonNode e = o.get("end");
        if (e != null && !e.isBoolean()) throw TrainproofException.usage("'end' must be true or false");
        boolean end = e != null && e.booleanValue();
        String fmt = text(o, "log_format");
        LogFormat format = fmt != null ? RecordCommand.parseFormat(fmt) : defaultFormat;
        RecordCommand.validate(step, logs, checkpoints, shards, resume, event, end);
        return new Request(line, o.get("id"), step, logs, format, checkpoints, shards, name == null ? "." : name, resume, event, end);
    }

    private static Long integer(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw TrainproofException.usage("'" + field + "' must be an integer, got " + v);
        return v.longValue();
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw TrainproofException.usage("'" + field + "' must be a string, got " + v);
        return v.textValue();
    }

    private static List<Path> paths(JsonNode o, String field) {
        JsonNode v = o.get(field);
        List<Path> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isTextual()) {
            out.add(Path.of(v.textValue()));
            return out;
        }
        if (!v.isArray()) throw TrainproofException.usage("'" + field + "' must be a path or an array of paths, got " + v);
        for (JsonNode p : v) {
            if (!p.isTextual()) throw TrainproofException.usage("'" + field + "' must hold paths (strings), got " + p);
            out.add(Path.of(p.textValue()));
        }
        return out;
    }

    /** A request that reads the ledger to build its drafts: as one {@code record} run, on the committer thread. */
    private static GroupCommitAppender.Committed runAlone(Ledger l, Path ledgerPath, Path base, Request r, LogRecorder[] recorder) {
        try {
            boolean ckpt = !r.checkpoints().isEmpty() || !r.shardManifests().isEmpty();
            if (ckpt) CheckpointStepOrder.require(ledgerPath, l, r.step(), r.resume());
            List<EntryDraft> drafts = RecordCommand.stepDrafts(r.step(), r.resume(), r.checkpoints(), r.shardManifests(), r.name(),
                    r.event(), r.end(), base, null);
            List<LogRecorder.LogInput> inputs = new ArrayList<>();
            for (Path p : r.logs()) inputs.add(new LogRecorder.LogInput(LogSourceNames.input(p), r.format()));
            if (recorder[0] == null) recorder[0] = new LogRecorder(l, RecordBase.naming(base, ledgerPath));
            List<LedgerEntry> entries = recorder[0].record(inputs, drafts).entries();
            long size = entries.isEmpty() ? l.size() : entries.get(entries.size() - 1).seq() + 1;
            return new GroupCommitAppender.Committed(entries, size);
        } catch (RuntimeException | Error e) {
            recorder[0] = null; // its state may be ahead of the ledger: rebuilt from the ledger for the next request
            throw e;
        }
    }

    private static ObjectNode ack(Request r, GroupCommitAppender.Committed c) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("line", r.line());
        if (r.id() != null) o.set("id", r.id());
        o.put("ok", true);
        ArrayNode es = o.putArray("entries");
        for (LedgerEntry e : c.entries()) {
            ObjectNode j = es.addObject();
            j.put("seq", e.seq());
            j.put("kind", e.kind());
            j.put("what", RecordCommand.describe(e));
            j.put("leaf", e.leafHash().toString());
        }
        o.put("tree_size", c.treeSize());
        return o;
    }

    private static ObjectNode error(long line, JsonNode id, Throwable t) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("line", line);
        if (id != null) o.set("id", id);
        o.put("ok", false);
        if (t instanceof TrainproofException te) {
            o.put("exit", te.exitCode());
            o.put("error", org.trainproof.LibraryMessages.clean(te.getMessage()));
        } else {
            o.put("exit", ExitCode.INTERNAL);
            o.put("error", "internal error: " + t);
        }
        return o;
    }

    private static void reply(PrintWriter out, ObjectNode o) {
        String s;
        try {
            s = JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        synchronized (out) {
            out.println(s);
            out.flush();
        }
    }
}
