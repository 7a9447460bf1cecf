package org.trainproof.trainlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;

/**
 * The body of a ledger {@code metrics} entry (docs/metrics-entry.md): one contiguous byte range
 * {@code [start, end)} of one log file, the SHA-256 of exactly those bytes, and the records parsed
 * from them as compact rows {@code [step, metric_index, value, wall_time]} over a metric-name
 * table. Pure: builds and parses the JSON tree; the ledger canonicalises (RFC 8785) and signs it.
 * NaN and ±Infinity cannot be JSON numbers, so values are written as the strings {@code "NaN"},
 * {@code "Infinity"}, {@code "-Infinity"}.
 */
public final class MetricsChunk {
    /** One record of a chunk. {@code metric} indexes {@link #metrics()}; {@code wallTime} may be null. */
    public record Row(long step, int metric, double value, Double wallTime) {}

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private final String source;
    private final LogFormat format;
    private final long start;
    private final long end;
    private final Digest sha256;
    private final List<String> metrics;
    private final List<Row> rows;

    /** Requires {@code 0 <= start <= end}, every row's metric index inside {@code metrics}. */
    public MetricsChunk(String source, LogFormat format, long start, long end, Digest sha256, List<String> metrics,
            List<Row> rows) {
        this.source = Objects.requireNonNull(source, "source");
        this.format = Objects.requireNonNull(format, "format");
        if (start < 0 || end < start) throw new IllegalArgumentException("bad byte range [" + start + "," + end + ")");
        this.start = start;
        this.end = end;
        this.sha256 = Objects.requireNonNull(sha256, "sha256");
        this.metrics = List.copyOf(metrics);
        this.rows = List.copyOf(rows);
        for (Row r : this.rows) {
            if (r.metric() < 0 || r.metric() >= this.metrics.size()) {
                throw new IllegalArgumentException("metric index " + r.metric() + " outside the table of " + this.metrics.size());
            }
            if (r.step() < 0) throw new IllegalArgumentException("negative step " + r.step());
        }
    }

    public String source() { return source; }
    public LogFormat format() { return format; }
    public long start() { return start; }
    public long end() { return end; }
    public Digest sha256() { return sha256; }
    public List<String> metrics() { return metrics; }
    public List<Row> rows() { return rows; }

    /**
     * Splits the records of {@code file} in {@code result} that lie in {@code [from, stableEnd)} into
     * chunks of about {@code maxRecords} records (records from one line or event are never split),
     * hashing the file in one streaming pass. Chunk ranges tile the file: the first starts at
     * {@code from}, each next one where the previous ended. Requires {@code maxRecords >= 1}.
     */
    public static List<MetricsChunk> build(LogReadResult result, Path file, long from, int maxRecords) {
        String name = file.toString();
        long stable = -1;
        for (LogReadResult.FileRange f : result.files()) {
            if (f.file().equals(name)) stable = f.stableEnd();
        }
        if (stable < 0) throw new IllegalArgumentException(name + " was not read in this result");
        List<MetricsChunk> out = new ArrayList<>();
        try (Writer w = new Writer(file, result.format(), from, maxRecords, out::add)) {
            for (MetricRecord r : result.records()) w.accept(r);
            w.finish(stable);
        }
        return out;
    }

    /**
     * Builds chunks from records streamed in file order ({@link LogReaders#stream}), holding at most
     * one chunk's records; records of other files or before {@code from} are ignored. Call
     * {@link #finish(long)} with the file's stable end once the read is done; records past it (an
     * unterminated last line) are not chunked.
     */
    public static final class Writer implements java.util.function.Consumer<MetricRecord>, AutoCloseable {
        private final Path file;
        private final String name;
        private final LogFormat format;
        private final int maxRecords;
        private final java.util.function.Consumer<MetricsChunk> out;
        private final InputStream in;
        private long pos;
        private List<MetricRecord> cur = new ArrayList<>();

        public Writer(Path file, LogFormat format, long from, int maxRecords, java.util.function.Consumer<MetricsChunk> out) {
            if (maxRecords < 1) throw new IllegalArgumentException("maxRecords must be >= 1");
            this.file = file;
            this.name = file.toString();
            this.format = format;
            this.maxRecords = maxRecords;
            this.out = out;
            this.pos = from;
            try {
                this.in = Files.newInputStream(file);
                if (in.skip(from) != from) {
                    in.close();
                    throw TrainproofException.badInput(file, "shorter than the resume position " + from);
                }
            } catch (IOException e) {
                throw TrainproofException.badInput(file, "cannot read: " + e.getMessage(), e);
            }
        }

        @Override
        public void accept(MetricRecord r) {
            SourceRef s = r.source();
            if (!s.file().equals(name) || s.start() < pos) return;
            if (cur.size() >= maxRecords) {
                SourceRef last = cur.get(cur.size() - 1).source();
                if (last.start() != s.start() || last.end() != s.end()) emit(cur);
            }
            cur.add(r);
        }

        /** Emits the last chunk, without records ending after {@code stableEnd}. */
        public void finish(long stableEnd) {
            List<MetricRecord> keep = new ArrayList<>(cur.size());
            for (MetricRecord r : cur) if (r.source().end() <= stableEnd) keep.add(r);
            if (!keep.isEmpty()) emit(keep);
            cur = new ArrayList<>();
        }

        private void emit(List<MetricRecord> g) {
            long end = g.get(g.size() - 1).source().end();
            MessageDigest md = Digest.newSha256();
            try {
                copy(in, end - pos, md, file);
            } catch (IOException e) {
                throw TrainproofException.badInput(file, "cannot read: " + e.getMessage(), e);
            }
            Map<String, Integer> idx = new HashMap<>();
            List<String> names = new ArrayList<>();
            List<Row> rows = new ArrayList<>(g.size());
            for (MetricRecord r : g) {
                Integer i = idx.get(r.metric());
                if (i == null) {
                    i = names.size();
                    idx.put(r.metric(), i);
                    names.add(r.metric());
                }
                rows.add(new Row(r.step(), i, r.value(), r.wallTime()));
            }
            out.accept(new MetricsChunk(name, format, pos, end, Digest.of(md.digest()), names, rows));
            pos = end;
            cur = new ArrayList<>();
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw TrainproofException.badInput(file, "cannot close: " + e.getMessage(), e);
            }
        }
    }

    private static void copy(InputStream in, long n, MessageDigest md, Path file) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) throw TrainproofException.badInput(file, "file ended while hashing a record range (changed while read?)");
            md.update(buf, 0, r);
            n -= r;
        }
    }

    /** SHA-256 of bytes {@code [start, end)} of {@code file} as it is now (one range of {@link #digestsOf}). */
    public static Digest digestOf(Path file, long start, long end) {
        return digestsOf(file, new long[] {start}, new long[] {end}, 0, 1)[0];
    }

    /**
     * SHA-256 of each byte range {@code [start[i], end[i])} of {@code file} as it is now, for i in
     * [{@code from}, {@code to}): one open file, one buffer and one digest for all, reading each block once
     * when the ranges follow one another (a log's recorded chunks). Per range, {@link #digestOf} opened
     * the file and allocated a 64 KiB buffer: after 2,000 one-line {@code record} calls that was ≈ 0.4 s
     * of the next call's 0.8 s (2-core EPYC host, light JVM). A range past the end of the file is an error
     * naming the file and the byte.
     */
    public static Digest[] digestsOf(Path file, long[] start, long[] end, int from, int to) {
        Digest[] out = new Digest[to - from];
        if (to <= from) return out;
        MessageDigest md = Digest.newSha256();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
        byte[] a = buf.array();
        long bufStart = 0;
        int bufLen = 0; // buf holds bytes [bufStart, bufStart + bufLen) of the file
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            for (int i = from; i < to; i++) {
                for (long pos = start[i]; pos < end[i]; ) {
                    if (pos < bufStart || pos >= bufStart + bufLen) {
                        buf.clear();
                        while (buf.hasRemaining()) {
                            if (ch.read(buf, pos + buf.position()) < 0) break;
                        }
                        bufStart = pos;
                        bufLen = buf.position();
                        if (bufLen == 0) {
                            throw TrainproofException.badInput(file, "file ended at byte " + pos + " while hashing the recorded range ["
                                    + start[i] + "," + end[i] + ") (changed while read?)");
                        }
                    }
                    int off = (int) (pos - bufStart);
                    int n = (int) Math.min(bufLen - off, end[i] - pos);
                    md.update(a, off, n);
                    pos += n;
                }
                out[i - from] = Digest.of(md.digest());
            }
        } catch (IOException e) {
            throw TrainproofException.badInput(file, "cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    /** Throws an integrity error unless bytes {@code [start, end)} of {@code file} hash to {@link #sha256()}. */
    public void verifyBytes(Path file) {
        Digest now = digestOf(file, start, end);
        if (!now.equals(sha256)) {
            throw TrainproofException.integrity(file + " bytes [" + start + "," + end + ")",
                    "log bytes changed since they were recorded: sha256 " + now + ", recorded " + sha256);
        }
    }

    /** The records of this chunk; each source is the whole chunk range (line numbers are not stored). */
    public List<MetricRecord> records() {
        SourceRef src = new SourceRef(source, 0, -1, start, end);
        List<MetricRecord> out = new ArrayList<>(rows.size());
        for (Row r : rows) out.add(new MetricRecord(r.step(), metrics.get(r.metric()), r.value(), r.wallTime(), src));
        return out;
    }

    // ---------------------------------------------------------------- JSON body

    /** The entry body as a JSON tree (field order as documented; the ledger canonicalises). */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("source", source);
        o.put("format", format.cliName());
        ArrayNode range = o.putArray("byte_range");
        range.add(start);
        range.add(end);
        o.put("sha256", sha256.toString());
        ArrayNode m = o.putArray("metrics");
        metrics.forEach(m::add);
        ArrayNode rs = o.putArray("records");
        for (Row r : rows) {
            ArrayNode a = rs.addArray();
            a.add(r.step());
            a.add(r.metric());
            addValue(a, r.value());
            if (r.wallTime() == null) a.addNull();
            else addValue(a, r.wallTime());
        }
        return o;
    }

    private static void addValue(ArrayNode a, double v) {
        if (Double.isNaN(v)) a.add("NaN");
        else if (v == Double.POSITIVE_INFINITY) a.add("Infinity");
        else if (v == Double.NEGATIVE_INFINITY) a.add("-Infinity");
        else a.add(v);
    }

    /** Parses and validates a body written by {@link #toJson()}; anything else is bad input (exit 3). */
    public static MetricsChunk parse(JsonNode o) {
        String where = "metrics entry body";
        if (o == null || !o.isObject()) throw TrainproofException.badInput(where, "must be a JSON object");
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("source", "format", "byte_range", "sha256", "metrics", "records").contains(k)) {
                throw TrainproofException.badInput(where, "unknown field '" + k + "'");
            }
        }
        String source = text(o, "source", where);
        LogFormat format;
        try {
            format = LogFormat.parse(text(o, "format", where));
        } catch (IllegalArgumentException e) {
            throw TrainproofException.badInput(where, e.getMessage());
        }
        JsonNode range = o.get("byte_range");
        if (range == null || !range.isArray() || range.size() != 2 || !range.get(0).canConvertToLong()
                || !range.get(1).canConvertToLong() || !range.get(0).isIntegralNumber() || !range.get(1).isIntegralNumber()) {
            throw TrainproofException.badInput(where, "byte_range must be [start, end] integers");
        }
        long start = range.get(0).asLong(), end = range.get(1).asLong();
        if (start < 0 || end < start) throw TrainproofException.badInput(where, "byte_range [" + start + "," + end + ") is not a range");
        String sha = text(o, "sha256", where);
        if (!HEX64.matcher(sha).matches()) throw TrainproofException.badInput(where, "sha256 must be 64 lowercase hex digits");
        JsonNode ms = o.get("metrics");
        if (ms == null || !ms.isArray()) throw TrainproofException.badInput(where, "metrics must be an array of names");
        List<String> metrics = new ArrayList<>(ms.size());
        for (JsonNode m : ms) {
            if (!m.isTextual()) throw TrainproofException.badInput(where, "metric names must be strings");
            if (metrics.contains(m.asText())) throw TrainproofException.badInput(where, "metric '" + m.asText() + "' listed twice");
            metrics.add(m.asText());
        }
        JsonNode rs = o.get("records");
        if (rs == null || !rs.isArray()) throw TrainproofException.badInput(where, "records must be an array");
        List<Row> rows = new ArrayList<>(rs.size());
        int i = 0;
        for (JsonNode r : rs) {
            String at = where + " record " + i++;
            if (!r.isArray() || r.size() != 4) throw TrainproofException.badInput(at, "must be [step, metric_index, value, wall_time]");
            if (!r.get(0).isIntegralNumber() || !r.get(0).canConvertToLong() || r.get(0).asLong() < 0) {
                throw TrainproofException.badInput(at, "step must be a non-negative integer");
            }
            if (!r.get(1).isIntegralNumber() || r.get(1).asLong() < 0 || r.get(1).asLong() >= metrics.size()) {
                throw TrainproofException.badInput(at, "metric index must point into metrics");
            }
            double v = value(r.get(2), at);
            Double w = r.get(3).isNull() ? null : value(r.get(3), at);
            rows.add(new Row(r.get(0).asLong(), r.get(1).asInt(), v, w));
        }
        return new MetricsChunk(source, format, start, end, Digest.parse(sha), metrics, rows);
    }

    private static String text(JsonNode o, String k, String where) {
        JsonNode n = o.get(k);
        if (n == null || !n.isTextual()) throw TrainproofException.badInput(where, k + " must be a string");
        return n.asText();
    }

    private static double value(JsonNode n, String at) {
        if (n.isNumber()) return n.asDouble();
        if (n.isTextual()) {
            switch (n.asText()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw TrainproofException.badInput(at, "value must be a number or \"NaN\", \"Infinity\", \"-Infinity\"");
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MetricsChunk c)) return false;
        return source.equals(c.source) && format == c.format && start == c.start && end == c.end && sha256.equals(c.sha256)
                && metrics.equals(c.metrics) && rowsEqual(rows, c.rows);
    }

    /** Rows compare values bit for bit (NaN equals NaN, as stored). */
    private static boolean rowsEqual(List<Row> a, List<Row> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            Row x = a.get(i), y = b.get(i);
            if (x.step() != y.step() || x.metric() != y.metric()
                    || Double.doubleToLongBits(x.value()) != Double.doubleToLongBits(y.value())
                    || !Objects.equals(x.wallTime(), y.wallTime())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, format, start, end, sha256, metrics, rows.size());
    }

    @Override
    public String toString() {
        return "MetricsChunk[" + source + " [" + start + "," + end + ") " + rows.size() + " records sha256 " + sha256 + "]";
    }
}
