package org.trainproof.trainlog;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.trainproof.TrainproofException;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * TensorBoard event files (formats.md §5.2), streamed record by record in constant memory (one
 * record buffer). Reader rules follow rustboard: a bad length CRC stops the file, a bad data CRC
 * skips the record, a short tail is a live file's truncated record (not an error), an event with a
 * NaN wall time is rejected. Scalars: {@code simple_value}, or a scalar {@code tensor} as
 * {@code float_val}, {@code double_val}, {@code half_val}, {@code int_val}, {@code int64_val} or
 * {@code tensor_content} decoded per dtype.
 */
final class TensorBoardReader {
    static final String PREFIX = "events.out.tfevents.";
    private static final Pattern TS = Pattern.compile("^events\\.out\\.tfevents\\.(\\d+)");
    private static final int DT_FLOAT = 1, DT_DOUBLE = 2, DT_INT32 = 3, DT_UINT8 = 4, DT_INT16 = 5, DT_INT8 = 6,
            DT_INT64 = 9, DT_BOOL = 10, DT_BFLOAT16 = 14, DT_UINT16 = 17, DT_HALF = 19, DT_UINT32 = 22, DT_UINT64 = 23;

    private TensorBoardReader() {}

    static void read(Path path, RecordSink sink) {
        read(path, sink, f -> 0);
    }

    /** As {@link #read(Path, RecordSink)}, each file from the record at byte {@code resumeAt(its name)} on. */
    static void read(Path path, RecordSink sink, java.util.function.ToLongFunction<String> resumeAt) {
        if (!Files.isDirectory(path)) {
            readFile(path, "", sink, resumeAt.applyAsLong(path.toString()));
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(path)) {
            files = new ArrayList<>(s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList());
        } catch (IOException | java.io.UncheckedIOException e) {
            throw TrainproofException.badInput(path, "cannot list directory: " + e.getMessage(), e);
        }
        // Sort by the timestamp embedded in the name, then by path (formats.md §5.2).
        files.sort(Comparator.<Path>comparingLong(TensorBoardReader::timestamp).thenComparing(Path::toString));
        boolean oneDir = files.stream().map(Path::getParent).distinct().count() <= 1;
        for (Path f : files) {
            String prefix = "";
            if (!oneDir) {
                Path rel = path.relativize(f.getParent());
                if (!rel.toString().isEmpty()) prefix = rel.toString().replace('\\', '/') + "/";
            }
            readFile(f, prefix, sink, resumeAt.applyAsLong(f.toString()));
        }
    }

    private static long timestamp(Path p) {
        Matcher m = TS.matcher(p.getFileName().toString());
        if (!m.find()) return 0;
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // a file-name timestamp beyond 2^63: ordered last
        }
    }

    /**
     * Reads one event file. Records that start before byte {@code from} (where a ledger left off: the
     * file's bytes up to there are checked against it first) are walked only for the plugin each tag
     * declares in its first event, as a whole read would be; their scalars and findings are dropped.
     */
    static void readFile(Path f, String tagPrefix, RecordSink sink, long from) {
        String display = f.toString();
        long size = JsonLogReader.sizeOf(f);
        Map<String, String> pluginByTag = new HashMap<>();
        long pos = 0;
        long index = 0;
        byte[] header = new byte[12];
        byte[] data = new byte[1 << 12];
        byte[] foot = new byte[4];
        try (InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16)) {
            while (true) {
                long remaining = size - pos;
                if (remaining == 0) break;
                Location where = Location.file(display).withOffset(pos);
                if (remaining < 12 || in.readNBytes(header, 0, 12) < 12) {
                    truncated(sink, where);
                    break;
                }
                long len = TfRecords.u64(header, 0);
                if (TfRecords.u32(header, 8) != TfRecords.maskedCrc32c(header, 0, 8)) {
                    sink.finding(LogFindings.BAD_LENGTH_CRC, Severity.WARNING, "", where,
                            "TFRecord length CRC mismatch; rest of the file not read");
                    break;
                }
                if (len < 0 || len > remaining - 16 || len > Integer.MAX_VALUE - 8) {
                    truncated(sink, where); // the length is beyond the bytes present: a live file
                    break;
                }
                int n = (int) len;
                if (data.length < n) data = new byte[Math.max(n, data.length * 2)];
                if (in.readNBytes(data, 0, n) < n || in.readNBytes(foot, 0, 4) < 4) {
                    truncated(sink, where);
                    break;
                }
                long end = pos + 12 + n + 4;
                SourceRef src = new SourceRef(display, 0, index, pos, end);
                if (pos < from) {
                    // already recorded: only the tags' plugins matter (a bad CRC or a malformed event
                    // declared none in the whole read either)
                    if (TfRecords.u32(foot, 0) == TfRecords.maskedCrc32c(data, 0, n)) {
                        try {
                            event(data, n, src, tagPrefix, pluginByTag, null);
                        } catch (ProtoReader.Malformed e) {
                            // skipped, as in a whole read
                        }
                    }
                } else if (TfRecords.u32(foot, 0) != TfRecords.maskedCrc32c(data, 0, n)) {
                    sink.finding(LogFindings.BAD_DATA_CRC, Severity.WARNING, "", src.location(),
                            "TFRecord data CRC mismatch in record " + index + "; record skipped");
                } else {
                    try {
                        event(data, n, src, tagPrefix, pluginByTag, sink);
                    } catch (ProtoReader.Malformed e) {
                        sink.finding(LogFindings.MALFORMED_RECORD, Severity.WARNING, "", src.location(),
                                "record " + index + " is not a valid Event protobuf (" + e.getMessage() + "); skipped");
                    }
                }
                pos = end;
                index++;
            }
        } catch (IOException e) {
            throw TrainproofException.badInput(f, "cannot read: " + e.getMessage(), e);
        }
        sink.files.add(new LogReadResult.FileRange(display, size, pos, index));
    }

    private static void truncated(RecordSink sink, Location where) {
        sink.finding(LogFindings.TRUNCATED_LAST_RECORD, Severity.INFO, "", where,
                "last TFRecord is incomplete (normal for a file still being written); not read");
    }

    /** One event; with a null {@code sink} only {@code pluginByTag} is updated (a record before the resume point). */
    private static void event(byte[] data, int n, SourceRef src, String tagPrefix, Map<String, String> pluginByTag,
            RecordSink sink) throws ProtoReader.Malformed {
        ProtoReader r = new ProtoReader(data, 0, n);
        double wall = 0;
        long step = 0;
        List<ProtoReader> summaries = new ArrayList<>(1);
        while (r.more()) {
            int field = r.next();
            if (field == 1 && r.wireType() == ProtoReader.FIXED64) wall = Double.longBitsToDouble(r.fixed64());
            else if (field == 2 && r.wireType() == ProtoReader.VARINT) step = r.varint();
            else if (field == 5 && r.wireType() == ProtoReader.LEN) summaries.add(r.message());
            else r.skip();
        }
        if (summaries.isEmpty()) return;
        if (Double.isNaN(wall)) {
            if (sink == null) return;
            sink.finding(LogFindings.NAN_WALL_TIME, Severity.WARNING, "", src.location(),
                    "event wall_time is NaN; event rejected (as TensorBoard does)");
            return;
        }
        if (step < 0) {
            if (sink == null) return;
            sink.finding(LogFindings.MALFORMED_RECORD, Severity.WARNING, "", src.location(), "negative step " + step + "; skipped");
            return;
        }
        Double wt = wall == 0 ? null : wall;
        for (ProtoReader s : summaries) {
            while (s.more()) {
                int field = s.next();
                if (field == 1 && s.wireType() == ProtoReader.LEN) value(s.message(), step, wt, src, tagPrefix, pluginByTag, sink);
                else s.skip();
            }
        }
    }

    private static void value(ProtoReader v, long step, Double wall, SourceRef src, String tagPrefix,
            Map<String, String> pluginByTag, RecordSink sink) throws ProtoReader.Malformed {
        String tag = null;
        Float simple = null;
        ProtoReader tensor = null;
        String plugin = null;
        boolean other = false;
        while (v.more()) {
            int field = v.next();
            int wt = v.wireType();
            if (field == 1 && wt == ProtoReader.LEN) tag = v.string();
            else if (field == 7 && wt == ProtoReader.LEN && tag == null) tag = v.string(); // node_name (TF1)
            else if (field == 2 && wt == ProtoReader.FIXED32) simple = Float.intBitsToFloat(v.fixed32());
            else if (field == 8 && wt == ProtoReader.LEN) tensor = v.message();
            else if (field == 9 && wt == ProtoReader.LEN) plugin = pluginName(v.message());
            else if (field >= 3 && field <= 6) {
                other = true;
                v.skip();
            } else v.skip();
        }
        if (tag == null) tag = "";
        if (plugin != null) pluginByTag.putIfAbsent(tag, plugin);
        else plugin = pluginByTag.get(tag);
        if (sink == null) return;
        Double value = null;
        if (simple != null) {
            value = (double) simple;
        } else if (tensor != null && (plugin == null || plugin.equals("scalars"))) {
            value = scalarTensor(tensor);
        }
        if (value == null) {
            String kind = plugin != null ? "plugin " + plugin : other ? "histogram/image/audio" : tensor != null ? "non-scalar tensor" : "no value";
            sink.finding(LogFindings.NON_NUMERIC_VALUE, Severity.INFO, tag, src.location(),
                    "summary '" + tag + "' is not a scalar (" + kind + "); skipped");
            return;
        }
        sink.add(step, tagPrefix + tag, value, wall, src);
    }

    private static String pluginName(ProtoReader meta) throws ProtoReader.Malformed {
        String name = null;
        while (meta.more()) {
            int f = meta.next();
            if (f == 1 && meta.wireType() == ProtoReader.LEN) {
                ProtoReader pd = meta.message();
                while (pd.more()) {
                    int g = pd.next();
                    if (g == 1 && pd.wireType() == ProtoReader.LEN) name = pd.string();
                    else pd.skip();
                }
            } else {
                meta.skip();
            }
        }
        return name;
    }

    /** The value of a one-element numeric TensorProto, or null when it is not a scalar. */
    static Double scalarTensor(ProtoReader t) throws ProtoReader.Malformed {
        int dtype = 0;
        long elements = 1;
        byte[] content = null;
        List<Double> vals = new ArrayList<>(1);
        while (t.more()) {
            int f = t.next();
            int wt = t.wireType();
            switch (f) {
                case 1 -> dtype = (int) t.varint();
                case 2 -> elements = shapeElements(t.message());
                case 4 -> content = t.bytes();
                case 5 -> floats(t, wt, vals);
                case 6 -> doubles(t, wt, vals);
                case 7, 10, 13, 16, 17 -> ints(t, wt, vals, f == 13 ? 'h' : 'i');
                case 11 -> ints(t, wt, vals, 'i');
                default -> t.skip();
            }
        }
        if (elements != 1) return null;
        if (content != null) return decodeContent(dtype, content);
        if (vals.size() != 1) return null;
        double x = vals.get(0);
        if (dtype == DT_HALF) return (double) halfToFloat((short) (long) x);
        if (dtype == DT_BFLOAT16) return (double) Float.intBitsToFloat(((int) (long) x) << 16);
        return x;
    }

    private static long shapeElements(ProtoReader shape) throws ProtoReader.Malformed {
        long n = 1;
        while (shape.more()) {
            int f = shape.next();
            if (f == 2 && shape.wireType() == ProtoReader.LEN) {
                ProtoReader dim = shape.message();
                long size = 0;
                while (dim.more()) {
                    int g = dim.next();
                    if (g == 1 && dim.wireType() == ProtoReader.VARINT) size = dim.varint();
                    else dim.skip();
                }
                n *= size;
            } else {
                shape.skip();
            }
        }
        return n;
    }

    private static void floats(ProtoReader t, int wt, List<Double> out) throws ProtoReader.Malformed {
        if (wt == ProtoReader.FIXED32) {
            out.add((double) Float.intBitsToFloat(t.fixed32()));
        } else if (wt == ProtoReader.LEN) {
            ProtoReader p = t.message();
            while (p.more()) out.add((double) Float.intBitsToFloat(p.fixed32()));
        } else t.skip();
    }

    private static void doubles(ProtoReader t, int wt, List<Double> out) throws ProtoReader.Malformed {
        if (wt == ProtoReader.FIXED64) {
            out.add(Double.longBitsToDouble(t.fixed64()));
        } else if (wt == ProtoReader.LEN) {
            ProtoReader p = t.message();
            while (p.more()) out.add(Double.longBitsToDouble(p.fixed64()));
        } else t.skip();
    }

    private static void ints(ProtoReader t, int wt, List<Double> out, char kind) throws ProtoReader.Malformed {
        if (wt == ProtoReader.VARINT) {
            out.add((double) t.varint());
        } else if (wt == ProtoReader.LEN) {
            ProtoReader p = t.message();
            while (p.more()) out.add((double) p.varint());
        } else t.skip();
    }

    private static Double decodeContent(int dtype, byte[] c) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(c).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int need = switch (dtype) {
            case DT_FLOAT, DT_INT32, DT_UINT32 -> 4;
            case DT_DOUBLE, DT_INT64, DT_UINT64 -> 8;
            case DT_HALF, DT_BFLOAT16, DT_INT16, DT_UINT16 -> 2;
            case DT_INT8, DT_UINT8, DT_BOOL -> 1;
            default -> -1;
        };
        if (need < 0 || c.length != need) return null; // tensor_content length must be the dtype size
        return switch (dtype) {
            case DT_FLOAT -> (double) b.getFloat();
            case DT_DOUBLE -> b.getDouble();
            case DT_INT32 -> (double) b.getInt();
            case DT_UINT32 -> (double) (b.getInt() & 0xffffffffL);
            case DT_INT64 -> (double) b.getLong();
            case DT_UINT64 -> { long x = b.getLong(); yield x >= 0 ? (double) x : (double) (x >>> 1) * 2.0; }
            case DT_HALF -> (double) halfToFloat(b.getShort());
            case DT_BFLOAT16 -> (double) Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
            case DT_INT16 -> (double) b.getShort();
            case DT_UINT16 -> (double) (b.getShort() & 0xffff);
            case DT_INT8 -> (double) b.get();
            default -> (double) (b.get() & 0xff);
        };
    }

    /** IEEE 754 binary16 bits to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
