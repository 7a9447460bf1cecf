package org.trainproof.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;

/**
 * GGUF v2/v3 (formats.md §4; ggml docs/gguf.md). Header, metadata and tensor infos are parsed with
 * every length checked against the bytes left before anything is allocated (a corrupted length is a
 * bad-input error, never an allocation). Non-quantised tensors (F32, F16, BF16, F64, I8..I64) are read
 * fully, with GGUF's reversed dimension order turned into C order ({@code dims[0]} is innermost);
 * quantised tensors are hashed by their stored bytes, with the ggml type named as dtype
 * ({@code GGUF_Q4_K}, ...) and no statistics. Big-endian GGUF is refused.
 */
public final class GgufReader {
    private GgufReader() {}

    static final int MAX_KV = 1_000_000;
    static final int MAX_TENSORS = 10_000_000;
    static final int MAX_ARRAY_DEPTH = 8;

    /** ggml type id → {name, block elements, block bytes}; checked against gguf-py 0.19 GGML_QUANT_SIZES. */
    private static final Map<Integer, Object[]> TYPES = new java.util.HashMap<>();

    static {
        t(0, "F32", 1, 4); t(1, "F16", 1, 2); t(2, "Q4_0", 32, 18); t(3, "Q4_1", 32, 20);
        t(6, "Q5_0", 32, 22); t(7, "Q5_1", 32, 24); t(8, "Q8_0", 32, 34); t(9, "Q8_1", 32, 36);
        t(10, "Q2_K", 256, 84); t(11, "Q3_K", 256, 110); t(12, "Q4_K", 256, 144); t(13, "Q5_K", 256, 176);
        t(14, "Q6_K", 256, 210); t(15, "Q8_K", 256, 292); t(16, "IQ2_XXS", 256, 66); t(17, "IQ2_XS", 256, 74);
        t(18, "IQ3_XXS", 256, 98); t(19, "IQ1_S", 256, 50); t(20, "IQ4_NL", 32, 18); t(21, "IQ3_S", 256, 110);
        t(22, "IQ2_S", 256, 82); t(23, "IQ4_XS", 256, 136); t(24, "I8", 1, 1); t(25, "I16", 1, 2);
        t(26, "I32", 1, 4); t(27, "I64", 1, 8); t(28, "F64", 1, 8); t(29, "IQ1_M", 256, 56);
        t(30, "BF16", 1, 2); t(34, "TQ1_0", 256, 54); t(35, "TQ2_0", 256, 66); t(39, "MXFP4", 32, 17);
        t(40, "NVFP4", 64, 36); t(41, "Q1_0", 128, 18);
    }

    private static void t(int id, String name, int block, int bytes) {
        TYPES.put(id, new Object[] {name, block, bytes});
    }

    private static final Map<String, Dtype> PLAIN = Map.of("F32", Dtype.F32, "F16", Dtype.F16, "BF16", Dtype.BF16,
            "F64", Dtype.F64, "I8", Dtype.I8, "I16", Dtype.I16, "I32", Dtype.I32, "I64", Dtype.I64);

    static boolean isGguf(byte[] head) {
        return head.length >= 4 && head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F';
    }

    /** A parsed GGUF: version, metadata (scalars and strings; arrays as their length), tensors. */
    public record Parsed(int version, Map<String, Object> metadata, List<SourceTensor> tensors, Digest header) {}

    /** Sequential reader over the file through a buffer; every length is checked against the file size. */
    private static final class In {
        final FileChannel ch;
        final long size;
        final String where;
        final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        long bufStart;
        long pos;
        final MessageDigest md = Digest.newSha256();
        long hashed;

        In(FileChannel ch, String where) throws IOException {
            this.ch = ch;
            this.size = ch.size();
            this.where = where;
            buf.limit(0);
        }

        TrainproofException bad(String what) {
            return TrainproofException.badInput(where, "GGUF at byte " + pos + ": " + what);
        }

        void need(long n) throws IOException {
            if (n < 0 || n > size - pos) throw bad("needs " + n + " bytes but only " + (size - pos) + " remain");
            if (pos + n > bufStart + buf.limit()) {
                buf.clear();
                long len = Math.min(buf.capacity(), size - pos);
                buf.limit((int) len);
                SafetensorsReader.readFully(ch, buf, pos, where);
                buf.flip();
                bufStart = pos;
            }
        }

        ByteBuffer at(int n) throws IOException {
            need(n);
            ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            b.position((int) (pos - bufStart));
            pos += n;
            return b;
        }

        int u32() throws IOException {
            return at(4).getInt();
        }

        long u64() throws IOException {
            return at(8).getLong();
        }

        String str(long max) throws IOException {
            long n = u64();
            if (n < 0 || n > max) throw bad("string length " + Long.toUnsignedString(n) + " above " + max);
            if (n > size - pos) throw bad("string length " + n + " exceeds the " + (size - pos) + " bytes left");
            byte[] b = new byte[(int) n];
            long p = pos;
            for (int i = 0; i < n; ) {
                int k = (int) Math.min(n - i, 1 << 15);
                at(k).get(b, i, k);
                i += k;
            }
            pos = p + n;
            return new String(b, StandardCharsets.UTF_8);
        }

        void skip(long n) throws IOException {
            if (n < 0 || n > size - pos) throw bad("value of " + n + " bytes exceeds the " + (size - pos) + " bytes left");
            pos += n;
        }
    }

    public static Parsed read(FileChannel ch, String where) throws IOException {
        In in = new In(ch, where);
        if (in.u32() != 0x46554747) throw in.bad("no GGUF magic");
        int version = in.u32();
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) throw in.bad("big-endian GGUF is not read");
            throw in.bad("GGUF version " + version + " (v2 and v3 are read)");
        }
        long nt = in.u64();
        long nkv = in.u64();
        if (nt < 0 || nt > MAX_TENSORS) throw in.bad("tensor count " + Long.toUnsignedString(nt) + " above " + MAX_TENSORS);
        if (nkv < 0 || nkv > MAX_KV) throw in.bad("metadata count " + Long.toUnsignedString(nkv) + " above " + MAX_KV);
        Map<String, Object> meta = new LinkedHashMap<>();
        long alignment = 32;
        for (long i = 0; i < nkv; i++) {
            String key = in.str(65535);
            int type = in.u32();
            Object v = value(in, type, 0);
            if (meta.put(key, v) != null) throw in.bad("metadata key '" + key + "' repeated");
            if (key.equals("general.alignment")) {
                if (!(v instanceof Long a) || a <= 0 || (a & (a - 1)) != 0 || a > (1 << 20)) throw in.bad("general.alignment " + v + " is not a power of two");
                alignment = (Long) v;
            }
        }
        record Info(String name, long[] dims, int type, long offset) {}
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < nt; i++) {
            String name = in.str(65535);
            int nd = in.u32();
            if (nd < 0 || nd > 8) throw in.bad("tensor '" + name + "' has " + nd + " dimensions");
            long[] dims = new long[nd];
            for (int d = 0; d < nd; d++) {
                dims[d] = in.u64();
                if (dims[d] < 0) throw in.bad("tensor '" + name + "' dimension beyond 2^63");
            }
            infos.add(new Info(name, dims, in.u32(), in.u64()));
        }
        long headerEnd = in.pos;
        long dataStart = (headerEnd + alignment - 1) / alignment * alignment;
        if (dataStart > in.size && nt > 0) throw in.bad("tensor data starts beyond the end of the file");
        List<SourceTensor> tensors = new ArrayList<>();
        for (Info t : infos) {
            String tw = where + " tensor '" + t.name() + "'";
            Object[] ty = TYPES.get(t.type());
            if (ty == null) throw TrainproofException.badInput(tw, "unknown ggml type " + t.type());
            long count = 1;
            try {
                for (long d : t.dims()) count = Math.multiplyExact(count, d);
                int block = (Integer) ty[1];
                if (count % block != 0) throw TrainproofException.badInput(tw, count + " elements are not whole " + ty[0] + " blocks of " + block);
                long bytes = Math.multiplyExact(count / block, (long) (Integer) ty[2]);
                if (t.offset() < 0 || t.offset() % alignment != 0) throw TrainproofException.badInput(tw, "offset " + t.offset() + " not aligned to " + alignment);
                long abs = Math.addExact(dataStart, t.offset());
                if (Math.addExact(abs, bytes) > in.size) throw TrainproofException.badInput(tw, "data extends beyond the end of the file");
                List<Long> shape = new ArrayList<>();
                for (int d = t.dims().length - 1; d >= 0; d--) shape.add(t.dims()[d]);
                String name = (String) ty[0];
                Dtype dt = PLAIN.get(name);
                tensors.add(new SourceTensor(t.name(), dt, dt != null ? dt.name() : "GGUF_" + name, shape, count, bytes, 0,
                        abs, abs + bytes, TensorBytes.contiguous(ch, abs, dt != null ? dt.bytes() : 1, false, tw)));
            } catch (ArithmeticException e) {
                throw TrainproofException.badInput(tw, "dimensions overflow 64 bits");
            }
        }
        ByteBuffer hb = ByteBuffer.allocate((int) Math.min(headerEnd, Integer.MAX_VALUE - 16));
        MessageDigest md = Digest.newSha256();
        for (long p = 0; p < headerEnd; ) {
            hb.clear().limit((int) Math.min(hb.capacity(), headerEnd - p));
            SafetensorsReader.readFully(ch, hb, p, where);
            int n = hb.position();
            md.update(hb.flip());
            p += n;
        }
        return new Parsed(version, meta, tensors, Digest.of(md.digest()));
    }

    private static Object value(In in, int type, int depth) throws IOException {
        switch (type) {
            case 0: case 1: case 7: {
                int b = in.at(1).get();
                if (type == 7 && b != 0 && b != 1) throw in.bad("bool value " + b);
                return type == 0 ? (long) (b & 0xff) : type == 7 ? (Object) (b == 1) : (long) b;
            }
            case 2: return (long) (in.at(2).getShort() & 0xffff);
            case 3: return (long) in.at(2).getShort();
            case 4: return in.u32() & 0xffffffffL;
            case 5: return (long) in.u32();
            case 6: return (double) in.at(4).getFloat();
            case 8: return in.str(1L << 30);
            case 9: {
                if (depth >= MAX_ARRAY_DEPTH) throw in.bad("arrays nested deeper than " + MAX_ARRAY_DEPTH);
                int et = in.u32();
                long n = in.u64();
                if (n < 0 || n > in.size - in.pos) throw in.bad("array of " + Long.toUnsignedString(n) + " items exceeds the bytes left");
                int fixed = switch (et) {
                    case 0, 1, 7 -> 1;
                    case 2, 3 -> 2;
                    case 4, 5, 6 -> 4;
                    case 10, 11, 12 -> 8;
                    default -> -1;
                };
                if (fixed > 0) {
                    if (n > (in.size - in.pos) / fixed) throw in.bad("array of " + n + " items exceeds the bytes left");
                    in.skip(n * fixed);
                } else {
                    for (long i = 0; i < n; i++) value(in, et, depth + 1);
                }
                return "array[" + n + "]";
            }
            case 10: return in.u64();
            case 11: return in.u64();
            case 12: return in.at(8).getDouble();
            default: throw in.bad("unknown metadata value type " + type);
        }
    }
}
