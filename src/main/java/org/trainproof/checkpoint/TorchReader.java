package org.trainproof.checkpoint;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Digest;

/**
 * Reads {@code torch.save} payloads without executing them: the zip format (torch ≥ 1.6; also
 * Lightning {@code .ckpt} and the archives embedded in DCP {@code .distcp} files) and the legacy
 * pre-1.6 format (formats.md §2). The pickle is interpreted by {@link Pickle} with the TORCH
 * allowlist; every tensor found in the object tree (dicts, lists, tuples, nested to
 * {@link #MAX_DEPTH}) becomes a {@link Named} tensor whose logical bytes resolve storage offset,
 * strides, shared storages and byte order. Storage entries must be stored (not deflated): they are read
 * in place, never loaded whole.
 */
public final class TorchReader {
    private TorchReader() {}

    /** Nesting depth of dicts/lists walked for tensors (a cyclic pickle stops here with a bad-input error). */
    public static final int MAX_DEPTH = 64;

    /** A tensor found at {@code name} (path of keys joined by '/'), with its bytes and storage extent. */
    public record Named(String name, Dtype dtype, String dtypeName, List<Long> shape, long count, long byteLength,
            long begin, long end, TensorBytes bytes) {}

    /** The parsed payload: the object tree, the tensors in tree order, and the SHA-256 of the pickle bytes. */
    public record Payload(Object root, List<Named> tensors, Digest pickleDigest, String archiveName) {}

    static final Map<String, Dtype> DTYPES = Map.ofEntries(
            Map.entry("float32", Dtype.F32), Map.entry("float", Dtype.F32), Map.entry("float64", Dtype.F64),
            Map.entry("double", Dtype.F64), Map.entry("float16", Dtype.F16), Map.entry("half", Dtype.F16),
            Map.entry("bfloat16", Dtype.BF16), Map.entry("int64", Dtype.I64), Map.entry("long", Dtype.I64),
            Map.entry("int32", Dtype.I32), Map.entry("int", Dtype.I32), Map.entry("int16", Dtype.I16),
            Map.entry("short", Dtype.I16), Map.entry("int8", Dtype.I8), Map.entry("uint8", Dtype.U8),
            Map.entry("bool", Dtype.BOOL), Map.entry("uint16", Dtype.U16), Map.entry("uint32", Dtype.U32),
            Map.entry("uint64", Dtype.U64), Map.entry("complex64", Dtype.C64),
            Map.entry("float8_e4m3fn", Dtype.F8_E4M3), Map.entry("float8_e5m2", Dtype.F8_E5M2),
            Map.entry("float8_e4m3fnuz", Dtype.F8_E4M3FNUZ), Map.entry("float8_e5m2fnuz", Dtype.F8_E5M2FNUZ),
            Map.entry("float8_e8m0fnu", Dtype.F8_E8M0));

    /** Element size in bytes of a torch dtype name; complex128 is 16 (kept as opaque bytes). */
    static int elementBytes(String torchDtype, Object where) {
        Dtype d = DTYPES.get(torchDtype);
        if (d != null) return d.bytes();
        if ("complex128".equals(torchDtype)) return 16;
        throw TrainproofException.badInput(where, "tensor dtype '" + torchDtype + "' is not supported");
    }

    // ---------------------------------------------------------------- zip

    /** Whether a zip (window) is a torch.save archive, and if not, what it is. Null when it is one. */
    static String whatIsZip(ZipIndex z) {
        String prefix = prefix(z);
        if (prefix != null && z.entries.containsKey(prefix + "/data.pkl")) return null;
        if (prefix != null && z.entries.containsKey(prefix + "/constants.pkl")) return "a TorchScript archive (torch.jit.save), not a torch.save checkpoint";
        if (z.entries.containsKey("model.json")) return "a legacy TorchScript/ONNX-style zip, not a torch.save checkpoint";
        return "a zip without data.pkl (not a torch.save checkpoint)";
    }

    private static String prefix(ZipIndex z) {
        if (z.firstName == null) return null;
        int slash = z.firstName.indexOf('/');
        return slash <= 0 ? null : z.firstName.substring(0, slash);
    }

    /** Reads the torch.save zip in the window [base, base+length) of {@code ch}. */
    public static Payload readZip(FileChannel ch, long base, long length, String where) throws IOException {
        ZipIndex z = ZipIndex.open(ch, base, length, where);
        String what = whatIsZip(z);
        if (what != null) throw TrainproofException.badInput(where, what);
        String prefix = prefix(z);
        ZipIndex.Entry pkl = z.entries.get(prefix + "/data.pkl");
        byte[] data = z.readSmall(pkl, Pickle.Limits.defaults().maxBytes());
        boolean big = false;
        ZipIndex.Entry bo = z.entries.get(prefix + "/byteorder");
        if (bo != null) {
            String s = new String(z.readSmall(bo, 16), StandardCharsets.US_ASCII).trim();
            if (s.equals("big")) big = true;
            else if (!s.equals("little")) throw TrainproofException.badInput(where, "byteorder entry says '" + s + "'");
        }
        Object root = Pickle.load(data, where + " data.pkl", Pickle.Policy.TORCH);
        final boolean swap = big;
        List<Named> out = new ArrayList<>();
        walk(root, "", 0, (name, t) -> {
            ZipIndex.Entry e = z.entries.get(prefix + "/data/" + t.storage().key());
            if (e == null) throw TrainproofException.badInput(where, "tensor '" + name + "': storage data/" + t.storage().key() + " is missing");
            if (e.method() != 0) {
                throw TrainproofException.badInput(where, "tensor '" + name + "': storage data/" + t.storage().key()
                        + " is compressed (method " + e.method() + "); only stored entries are read (in place)");
            }
            long abs = z.dataOffset(e);
            out.add(named(ch, name, t, abs, e.size(), swap, where));
        });
        return new Payload(root, out, Digest.sha256(data), prefix);
    }

    interface Visitor {
        void tensor(String name, Pickle.TensorRef t) throws IOException;
    }

    /** Visits every tensor of the object tree in order; names are key paths joined by '/'. */
    static void walk(Object o, String name, int depth, Visitor v) throws IOException {
        if (depth > MAX_DEPTH) throw TrainproofException.badInput(name, "object nesting deeper than " + MAX_DEPTH);
        if (o instanceof Pickle.TensorRef t) {
            v.tensor(name.isEmpty() ? "tensor" : name, t);
        } else if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object k = e.getKey();
                String ks = k instanceof String s ? s : k instanceof Long || k instanceof BigInteger ? k.toString() : null;
                if (ks == null) continue; // tuple/None keys: no tensor name to give
                walk(e.getValue(), name.isEmpty() ? ks : name + "/" + ks, depth + 1, v);
            }
        } else if (o instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) walk(l.get(i), name.isEmpty() ? "" + i : name + "/" + i, depth + 1, v);
        } else if (o instanceof Pickle.Tuple t) {
            for (int i = 0; i < t.size(); i++) walk(t.get(i), name.isEmpty() ? "" + i : name + "/" + i, depth + 1, v);
        }
    }

    /** Builds a tensor over a storage whose bytes are at {@code abs} ({@code available} bytes), checking the extent. */
    static Named named(FileChannel ch, String name, Pickle.TensorRef t, long abs, long available, boolean swap, String where) {
        String tw = where + " tensor '" + name + "'";
        int es = elementBytes(t.dtype(), tw);
        Pickle.StorageRef s = t.storage();
        int storageEs = s.storageType().equals("UntypedStorage") ? 1
                : s.storageType().startsWith("dtype:") ? elementBytes(s.storageType().substring(6), tw)
                : elementBytes(Pickle.STORAGE_DTYPES.get(s.storageType()), tw);
        try {
            long storageBytes = Math.multiplyExact(s.numel(), (long) storageEs);
            if (available < storageBytes) {
                throw TrainproofException.badInput(tw, "storage " + s.key() + " has " + available + " bytes, fewer than its "
                        + s.numel() + " elements");
            }
            long count = 1;
            for (long d : t.size()) count = Math.multiplyExact(count, d);
            long byteLength = Math.multiplyExact(count, (long) es);
            if (count > 0) {
                long last = t.offset();
                for (int i = 0; i < t.size().size(); i++) {
                    last = Math.addExact(last, Math.multiplyExact(t.size().get(i) - 1, t.stride().get(i)));
                }
                if (Math.multiplyExact(Math.addExact(last, 1), (long) es) > storageBytes) {
                    throw TrainproofException.badInput(tw, "view (offset " + t.offset() + ", size " + t.size() + ", stride "
                            + t.stride() + ") reaches beyond its storage of " + storageBytes + " bytes");
                }
            }
            Dtype dt = DTYPES.get(t.dtype());
            String dn = dt != null ? dt.name() : "C128";
            boolean contiguous = true;
            long expect = 1;
            for (int i = t.size().size() - 1; i >= 0; i--) {
                if (t.size().get(i) != 1 && t.stride().get(i) != expect) contiguous = false;
                expect *= t.size().get(i);
            }
            TensorBytes bytes;
            long begin, end;
            int swapUnit = dt == Dtype.C64 ? 4 : dn.equals("C128") ? 8 : es;
            if (contiguous) {
                begin = abs + t.offset() * es;
                end = begin + byteLength;
                bytes = TensorBytes.contiguous(ch, begin, swapUnit, swap, tw);
            } else {
                begin = abs;
                end = abs + storageBytes;
                bytes = stridedUnits(ch, abs, storageBytes, es, swapUnit, t, swap, tw);
            }
            return new Named(name, dt, dn, t.size(), count, byteLength, begin, end, bytes);
        } catch (ArithmeticException e) {
            throw TrainproofException.badInput(tw, "size, stride or offset overflows 64 bits");
        }
    }

    private static TensorBytes stridedUnits(FileChannel ch, long abs, long storageBytes, int es, int swapUnit,
            Pickle.TensorRef t, boolean swap, String tw) {
        if (!swap || swapUnit == es) return TensorBytes.strided(ch, abs, storageBytes, es, t.offset(), t.size(), t.stride(), swap, tw);
        // complex, big-endian: gather whole elements, then swap each component
        TensorBytes raw = TensorBytes.strided(ch, abs, storageBytes, es, t.offset(), t.size(), t.stride(), false, tw);
        return (off, dst) -> {
            int p0 = dst.position();
            raw.read(off, dst);
            for (int i = p0; i + swapUnit <= dst.position(); i += swapUnit) {
                for (int a = i, b = i + swapUnit - 1; a < b; a++, b--) {
                    byte x = dst.get(a);
                    dst.put(a, dst.get(b));
                    dst.put(b, x);
                }
            }
        };
    }

    // ---------------------------------------------------------------- legacy

    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    /** Whether the first bytes are the legacy format's magic pickle (formats.md §2.1). */
    static boolean isLegacy(byte[] head) {
        byte[] magic = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
            0x6a, (byte) 0xa8, 0x50, 0x19};
        if (head.length < magic.length) return false;
        for (int i = 0; i < magic.length; i++) if (head[i] != magic[i]) return false;
        return true;
    }

    /** Reads a legacy (pre-1.6) torch.save file (formats.md §2.5). */
    public static Payload readLegacy(FileChannel ch, String where) throws IOException {
        long size = ch.size();
        int prefixLen = (int) Math.min(size, Pickle.Limits.defaults().maxBytes());
        ByteBuffer pb = ByteBuffer.allocate(prefixLen);
        SafetensorsReader.readFully(ch, pb, 0, where);
        byte[] head = pb.array();
        int[] end = new int[1];
        Pickle.Limits lim = Pickle.Limits.defaults();
        Object magic = Pickle.load(head, 0, where, Pickle.Policy.TORCH, lim, end);
        if (!LEGACY_MAGIC.equals(magic instanceof Long l ? BigInteger.valueOf(l) : magic)) {
            throw TrainproofException.badInput(where, "legacy torch file without the magic number");
        }
        Object proto = Pickle.load(head, end[0], where, Pickle.Policy.TORCH, lim, end);
        if (!Long.valueOf(1001).equals(proto)) throw TrainproofException.badInput(where, "legacy protocol " + proto + ", expected 1001");
        Object sys = Pickle.load(head, end[0], where, Pickle.Policy.TORCH, lim, end);
        boolean little = !(sys instanceof Map<?, ?> m) || !Boolean.FALSE.equals(m.get("little_endian"));
        Object root = Pickle.load(head, end[0], where, Pickle.Policy.TORCH, lim, end);
        Object keys = Pickle.load(head, end[0], where, Pickle.Policy.TORCH, lim, end);
        int pickleEnd = end[0];
        if (!(keys instanceof List<?> keyList)) throw TrainproofException.badInput(where, "legacy storage key list missing");
        Map<String, Pickle.StorageRef> byKey = new HashMap<>();
        walk(root, "", 0, (name, t) -> byKey.putIfAbsent(t.storage().key(), t.storage()));
        Map<String, long[]> located = new LinkedHashMap<>(); // key -> {abs, bytes}
        long pos = pickleEnd;
        ByteBuffer nb = ByteBuffer.allocate(8).order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        for (Object k : keyList) {
            String key = String.valueOf(k);
            Pickle.StorageRef s = byKey.get(key);
            if (s == null) throw TrainproofException.badInput(where, "legacy storage " + key + " is used by no tensor; its element size is unknown");
            if (pos + 8 > size) throw TrainproofException.badInput(where, "legacy storage " + key + " starts beyond the end of the file");
            nb.clear();
            SafetensorsReader.readFully(ch, nb, pos, where);
            long numel = nb.getLong(0);
            int es = s.storageType().startsWith("dtype:") ? elementBytes(s.storageType().substring(6), where)
                    : elementBytes(Pickle.STORAGE_DTYPES.get(s.storageType()), where);
            if (numel < 0 || numel > (size - pos - 8) / es) {
                throw TrainproofException.badInput(where, "legacy storage " + key + " declares " + numel + " elements beyond the file");
            }
            located.put(key, new long[] {pos + 8, numel * es});
            pos += 8 + numel * es;
        }
        if (pos != size) throw TrainproofException.badInput(where, "legacy file has " + (size - pos) + " bytes after its last storage");
        List<Named> out = new ArrayList<>();
        walk(root, "", 0, (name, t) -> {
            long[] at = located.get(t.storage().key());
            if (at == null) throw TrainproofException.badInput(where, "tensor '" + name + "': storage " + t.storage().key() + " not in the key list");
            out.add(named(ch, name, t, at[0], at[1], !little, where));
        });
        return new Payload(root, out, Digest.sha256(java.util.Arrays.copyOf(head, pickleEnd)), null);
    }
}
