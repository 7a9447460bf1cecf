package org.trainproof.checkpoint;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/**
 * An inert, bounded interpreter of the pickle opcodes that {@code torch.save} and {@code pickle.dump}
 * (protocols 2–5) emit (formats.md §2.3–2.4). It never calls, imports or instantiates anything: a
 * GLOBAL is looked up in an allowlist ({@link Policy}) and becomes a {@link Global} marker; a REDUCE,
 * NEWOBJ or BUILD on an allowlisted marker is evaluated by the few inert Java rules below (a tensor
 * rebuild becomes a {@link TensorRef}, {@code OrderedDict()} a map, {@code torch.Size(t)} a tuple,
 * a DCP dataclass a {@link PObject}). Any GLOBAL outside the allowlist ({@code os.system},
 * {@code builtins.eval}, {@code subprocess.Popen}, numpy reconstruct, a user class) is refused with
 * {@link PickleRefusedException} (exit 3) at the GLOBAL opcode, before anything could be applied to it.
 *
 * <p>Limits ({@link Limits}): pickle bytes, memo entries, stack size, MARK depth, string and integer
 * lengths, and the nesting depth of the result (checked by the tree walkers). Values: Python None is
 * {@link #NONE}; int is {@link Long} (or {@link BigInteger} beyond 64 bits); float {@link Double};
 * str {@link String}; bytes {@link PBytes}; bool {@link Boolean}; tuple {@link Tuple}; list
 * {@link ArrayList}; dict and OrderedDict {@link LinkedHashMap}; set {@link LinkedHashSet}.
 */
public final class Pickle {
    private Pickle() {}

    /** Python's None (Java null is never a pickle value). */
    public static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** Bounds on untrusted pickles. */
    public record Limits(int maxBytes, int maxMemo, int maxStack, int maxMarks, int maxString, int maxIntBytes) {
        /** data.pkl of a 100B-parameter model is a few MB; 100 MB is the safetensors header bound. */
        public static Limits defaults() {
            return new Limits(100_000_000, 4_000_000, 4_000_000, 10_000, 100_000_000, 1024);
        }
    }

    /** Which globals a pickle may name. */
    public enum Policy {
        /** torch.save payloads: tensor rebuilds, storages, dtypes, OrderedDict, torch.Size, plain containers. */
        TORCH,
        /** DCP {@code .metadata}: TORCH plus the torch.distributed.checkpoint dataclasses and pathlib paths. */
        DCP_METADATA
    }

    public record Global(String module, String name) {
        public String qualified() {
            return module + "." + name;
        }
    }

    public record Tuple(List<Object> items) {
        public Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        public Object get(int i) {
            return items.get(i);
        }

        public int size() {
            return items.size();
        }
    }

    /** A bytes value (wrapped: records compare arrays by reference). */
    public static final class PBytes {
        private final byte[] b;

        PBytes(byte[] b) {
            this.b = b.clone();
        }

        public byte[] bytes() {
            return b.clone();
        }

        public int length() {
            return b.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PBytes p && java.util.Arrays.equals(b, p.b);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(b);
        }

        @Override
        public String toString() {
            return "bytes[" + b.length + "]";
        }
    }

    /** A storage named by a persistent id: torch storage type (or untyped + dtype), key, location, element count. */
    public record StorageRef(String storageType, String key, String location, long numel) {}

    /**
     * A tensor from {@code _rebuild_tensor*}: its storage, offset, size and stride in elements, and its
     * dtype name (torch's: float32, bfloat16, ...).
     */
    public record TensorRef(StorageRef storage, String dtype, long offset, List<Long> size, List<Long> stride) {
        public TensorRef {
            size = List.copyOf(size);
            stride = List.copyOf(stride);
        }
    }

    /** A torch dtype object (torch.float32, ...). */
    public record TorchDtype(String name) {}

    /** An allowlisted dataclass instance (DCP metadata): class, constructor args, BUILD state. */
    public static final class PObject {
        public final Global cls;
        public final List<Object> args;
        public Object state = NONE;

        PObject(Global cls, List<Object> args) {
            this.cls = cls;
            this.args = List.copyOf(args);
        }

        /** A field of the BUILD state (a dict, or the dict half of a (dict, slots) pair); null when absent. */
        @SuppressWarnings("unchecked")
        public Object field(String name) {
            Object s = state;
            if (s instanceof Tuple t && t.size() == 2) {
                s = t.get(0) instanceof Map<?, ?> ? t.get(0) : t.get(1);
            }
            return s instanceof Map<?, ?> m ? ((Map<Object, Object>) m).get(name) : null;
        }

        @Override
        public String toString() {
            return cls.qualified() + "(...)";
        }
    }

    /** Refusal of a GLOBAL outside the allowlist: exit 3, naming the global and the file. */
    public static final class PickleRefusedException extends TrainproofException {
        private final String global;

        PickleRefusedException(Object where, String global) {
            super(ExitCode.BAD_INPUT, where + ": pickle names global '" + global
                    + "', which is not on the allowlist (tensor rebuilds, storages, dtypes, OrderedDict, torch.Size,"
                    + " plain containers); refused without running anything");
            this.global = global;
        }

        /** The refused global as module.name. */
        public String global() {
            return global;
        }
    }

    /** Storage class name → torch dtype name (formats.md §2.3). */
    static final Map<String, String> STORAGE_DTYPES = Map.ofEntries(
            Map.entry("FloatStorage", "float32"), Map.entry("DoubleStorage", "float64"),
            Map.entry("HalfStorage", "float16"), Map.entry("BFloat16Storage", "bfloat16"),
            Map.entry("LongStorage", "int64"), Map.entry("IntStorage", "int32"),
            Map.entry("ShortStorage", "int16"), Map.entry("CharStorage", "int8"),
            Map.entry("ByteStorage", "uint8"), Map.entry("BoolStorage", "bool"),
            Map.entry("ComplexFloatStorage", "complex64"), Map.entry("ComplexDoubleStorage", "complex128"),
            Map.entry("UntypedStorage", "uint8"));

    static final Set<String> TORCH_DTYPES = Set.of("float32", "float64", "float16", "bfloat16", "int64", "int32",
            "int16", "int8", "uint8", "uint16", "uint32", "uint64", "bool", "complex64", "complex128",
            "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu",
            "float4_e2m1fn_x2", "half", "float", "double", "long", "int", "short");

    private static final Set<String> REBUILDS = Set.of("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3",
            "_rebuild_parameter", "_rebuild_parameter_with_state");

    private static final Set<String> DCP_CLASSES = Set.of(
            "torch.distributed.checkpoint.metadata.Metadata",
            "torch.distributed.checkpoint.metadata.TensorStorageMetadata",
            "torch.distributed.checkpoint.metadata.BytesStorageMetadata",
            "torch.distributed.checkpoint.metadata.ChunkStorageMetadata",
            "torch.distributed.checkpoint.metadata.TensorProperties",
            "torch.distributed.checkpoint.metadata.MetadataIndex",
            "torch.distributed.checkpoint.metadata.StorageMeta",
            "torch.distributed.checkpoint.metadata._MEM_FORMAT_ENCODING",
            "torch.distributed.checkpoint.filesystem._StorageInfo",
            "torch.distributed.checkpoint._extension.ExtensionRegistry",
            "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.Path");

    /** Whether {@code module.name} may be named under {@code policy} (the allowlist, in one place). */
    static boolean allowed(Policy policy, String module, String name) {
        String q = module + "." + name;
        if (module.equals("torch._utils") && REBUILDS.contains(name)) return true;
        if (module.equals("torch._tensor") && name.equals("_rebuild_from_type_v2")) return true;
        if (module.equals("torch") && (STORAGE_DTYPES.containsKey(name) || TORCH_DTYPES.contains(name)
                || name.equals("Size") || name.equals("device") || name.equals("Tensor"))) {
            return true;
        }
        if (q.equals("torch.storage.UntypedStorage") || q.equals("torch.nn.parameter.Parameter")
                || q.equals("collections.OrderedDict") || q.equals("_codecs.encode")
                || q.equals("builtins.set") || q.equals("builtins.frozenset") || q.equals("builtins.bytearray")
                || q.equals("__builtin__.set") || q.equals("__builtin__.frozenset") || q.equals("__builtin__.bytearray")
                || q.equals("torch.serialization._get_layout")) {
            return true;
        }
        return policy == Policy.DCP_METADATA && DCP_CLASSES.contains(q);
    }

    /** Interprets one pickle that starts at {@code start} of {@code data}; {@code end[0]} receives the offset after STOP. */
    public static Object load(byte[] data, int start, Object where, Policy policy, Limits limits, int[] end) {
        if (data.length > limits.maxBytes()) {
            throw TrainproofException.badInput(where, "pickle of " + data.length + " bytes exceeds the "
                    + limits.maxBytes() + "-byte limit");
        }
        Machine m = new Machine(data, start, where, policy, limits);
        Object v = m.run();
        if (end != null) end[0] = m.pos;
        return v;
    }

    public static Object load(byte[] data, Object where, Policy policy) {
        return load(data, 0, where, policy, Limits.defaults(), null);
    }

    private static final Object MARK = new Object();

    private static final class Machine {
        final byte[] d;
        int pos;
        final Object where;
        final Policy policy;
        final Limits lim;
        final ArrayList<Object> stack = new ArrayList<>();
        final ArrayList<Integer> marks = new ArrayList<>();
        final Map<Long, Object> memo = new java.util.HashMap<>();

        Machine(byte[] d, int start, Object where, Policy policy, Limits lim) {
            this.d = d;
            this.pos = start;
            this.where = where;
            this.policy = policy;
            this.lim = lim;
        }

        TrainproofException bad(String what) {
            return TrainproofException.badInput(where, "pickle at byte " + pos + ": " + what);
        }

        int u8() {
            need(1);
            return d[pos++] & 0xff;
        }

        void need(long n) {
            if (n < 0 || pos + n > d.length) throw bad("truncated (needs " + n + " more bytes)");
        }

        long le(int n) {
            need(n);
            long v = 0;
            for (int i = 0; i < n; i++) v |= (long) (d[pos + i] & 0xff) << (8 * i);
            pos += n;
            return v;
        }

        byte[] take(long n) {
            if (n > lim.maxString()) throw bad("string of " + n + " bytes exceeds the limit " + lim.maxString());
            need(n);
            byte[] b = java.util.Arrays.copyOfRange(d, pos, pos + (int) n);
            pos += (int) n;
            return b;
        }

        String line() {
            int s = pos;
            while (pos < d.length && d[pos] != '\n') {
                if (pos - s > 1024) throw bad("GLOBAL name longer than 1024 bytes");
                pos++;
            }
            if (pos >= d.length) throw bad("truncated GLOBAL");
            String r = new String(d, s, pos - s, StandardCharsets.UTF_8);
            pos++;
            return r;
        }

        void push(Object o) {
            if (stack.size() >= lim.maxStack()) throw bad("stack exceeds " + lim.maxStack() + " items");
            stack.add(o);
        }

        Object pop() {
            if (stack.isEmpty()) throw bad("stack underflow");
            Object o = stack.remove(stack.size() - 1);
            if (o == MARK) throw bad("unexpected MARK");
            return o;
        }

        Object top() {
            if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw bad("stack underflow");
            return stack.get(stack.size() - 1);
        }

        List<Object> popMark() {
            if (marks.isEmpty()) throw bad("no MARK");
            int m = marks.remove(marks.size() - 1);
            if (m > stack.size() || stack.get(m) != MARK) throw bad("MARK mismatch");
            List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
            stack.subList(m, stack.size()).clear();
            return items;
        }

        void memoPut(long idx, Object v) {
            if (!memo.containsKey(idx) && memo.size() >= lim.maxMemo()) throw bad("memo exceeds " + lim.maxMemo() + " entries");
            memo.put(idx, v);
        }

        Object memoGet(long idx) {
            Object v = memo.get(idx);
            if (v == null) throw bad("memo key " + idx + " not defined");
            return v;
        }

        Object global(String module, String name) {
            if (!allowed(policy, module, name)) throw new PickleRefusedException(where, module + "." + name);
            if (module.equals("torch") && TORCH_DTYPES.contains(name)) return new TorchDtype(name);
            return new Global(module, name);
        }

        Object integer(byte[] le) {
            if (le.length == 0) return 0L;
            byte[] be = new byte[le.length];
            for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
            BigInteger b = new BigInteger(be);
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }

        Object run() {
            while (true) {
                if (pos >= d.length) throw bad("no STOP opcode");
                int op = d[pos++] & 0xff;
                switch (op) {
                    case 0x80 -> { // PROTO
                        int v = u8();
                        if (v < 2 || v > 5) throw bad("unsupported pickle protocol " + v);
                    }
                    case 0x95 -> le(8); // FRAME: framing is advisory
                    case '.' -> { // STOP
                        Object v = pop();
                        return v;
                    }
                    case '(' -> {
                        if (marks.size() >= lim.maxMarks()) throw bad("MARK depth exceeds " + lim.maxMarks());
                        marks.add(stack.size());
                        if (stack.size() >= lim.maxStack()) throw bad("stack exceeds " + lim.maxStack() + " items");
                        stack.add(MARK);
                    }
                    case 't' -> push(new Tuple(popMark()));
                    case ')' -> push(new Tuple(List.of()));
                    case 0x85 -> push(new Tuple(List.of(pop())));
                    case 0x86 -> {
                        Object b = pop(), a = pop();
                        push(new Tuple(List.of(a, b)));
                    }
                    case 0x87 -> {
                        Object c = pop(), b = pop(), a = pop();
                        push(new Tuple(List.of(a, b, c)));
                    }
                    case ']' -> push(new ArrayList<>());
                    case 'l' -> push(new ArrayList<>(popMark()));
                    case 'a' -> {
                        Object v = pop();
                        list(top()).add(v);
                    }
                    case 'e' -> {
                        List<Object> items = popMark();
                        list(top()).addAll(items);
                    }
                    case '}' -> push(new LinkedHashMap<>());
                    case 'd' -> {
                        List<Object> items = popMark();
                        Map<Object, Object> m = new LinkedHashMap<>();
                        putAll(m, items);
                        push(m);
                    }
                    case 's' -> {
                        Object v = pop(), k = pop();
                        dict(top()).put(key(k), v);
                    }
                    case 'u' -> {
                        List<Object> items = popMark();
                        putAll(dict(top()), items);
                    }
                    case 0x8F -> push(new LinkedHashSet<>());
                    case 0x90 -> {
                        List<Object> items = popMark();
                        Object s = top();
                        if (!(s instanceof Set<?>)) throw bad("ADDITEMS on a non-set");
                        @SuppressWarnings("unchecked")
                        Set<Object> set = (Set<Object>) s;
                        for (Object o : items) set.add(key(o));
                    }
                    case 0x91 -> push(Collections.unmodifiableSet(new LinkedHashSet<>(popMark())));
                    case 'N' -> push(NONE);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) (int) le(4));
                    case 'K' -> push((long) u8());
                    case 'M' -> push(le(2));
                    case 0x8A -> {
                        int n = u8();
                        if (n > lim.maxIntBytes()) throw bad("LONG1 of " + n + " bytes");
                        push(integer(take(n)));
                    }
                    case 0x8B -> {
                        long n = le(4);
                        if (n > lim.maxIntBytes()) throw bad("LONG4 of " + n + " bytes");
                        push(integer(take(n)));
                    }
                    case 'G' -> {
                        need(8);
                        long bits = 0;
                        for (int i = 0; i < 8; i++) bits = (bits << 8) | (d[pos + i] & 0xff);
                        pos += 8;
                        push(Double.longBitsToDouble(bits));
                    }
                    case 'X' -> push(new String(take(le(4)), StandardCharsets.UTF_8));
                    case 0x8C -> push(new String(take(u8()), StandardCharsets.UTF_8));
                    case 0x8D -> push(new String(take(le8()), StandardCharsets.UTF_8));
                    case 'U' -> push(new String(take(u8()), StandardCharsets.ISO_8859_1));
                    case 'T' -> push(new String(take(le(4)), StandardCharsets.ISO_8859_1));
                    case 'B' -> push(new PBytes(take(le(4))));
                    case 'C' -> push(new PBytes(take(u8())));
                    case 0x8E -> push(new PBytes(take(le8())));
                    case 0x96 -> push(new PBytes(take(le8()))); // BYTEARRAY8
                    case 'q' -> memoPut(u8(), top());
                    case 'r' -> memoPut(le(4), top());
                    case 0x94 -> memoPut(memo.size(), top());
                    case 'h' -> push(memoGet(u8()));
                    case 'j' -> push(memoGet(le(4)));
                    case 'c' -> {
                        String module = line();
                        String name = line();
                        push(global(module, name));
                    }
                    case 0x93 -> {
                        Object name = pop(), module = pop();
                        if (!(module instanceof String ms) || !(name instanceof String ns)) throw bad("STACK_GLOBAL needs two strings");
                        push(global(ms, ns));
                    }
                    case 'Q' -> push(persistent(pop()));
                    case 'R' -> {
                        Object args = pop(), fn = pop();
                        if (!(args instanceof Tuple t)) throw bad("REDUCE arguments are not a tuple");
                        push(call(fn, t.items()));
                    }
                    case 0x81 -> {
                        Object args = pop(), cls = pop();
                        if (!(args instanceof Tuple t)) throw bad("NEWOBJ arguments are not a tuple");
                        push(call(cls, t.items()));
                    }
                    case 0x92 -> {
                        Object kwargs = pop(), args = pop(), cls = pop();
                        if (!(args instanceof Tuple t) || !(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) {
                            throw bad("NEWOBJ_EX with keyword arguments");
                        }
                        push(call(cls, t.items()));
                    }
                    case 'b' -> {
                        Object state = pop();
                        build(top(), state);
                    }
                    case '0' -> pop();
                    case '2' -> push(top());
                    case '1' -> popMark();
                    case 0x97 -> { // NEXT_BUFFER / READONLY_BUFFER: out-of-band buffers never appear in files
                        throw bad("out-of-band buffer opcode");
                    }
                    default -> throw bad(String.format("opcode 0x%02x is not one torch.save or pickle.dump emits", op));
                }
            }
        }

        long le8() {
            long n = le(8);
            if (n < 0) throw bad("length beyond 2^63");
            return n;
        }

        @SuppressWarnings("unchecked")
        List<Object> list(Object o) {
            if (o instanceof ArrayList<?> l) return (List<Object>) l;
            throw bad("APPEND to a non-list " + describe(o));
        }

        @SuppressWarnings("unchecked")
        Map<Object, Object> dict(Object o) {
            if (o instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
            throw bad("SETITEM on a non-dict " + describe(o));
        }

        void putAll(Map<Object, Object> m, List<Object> items) {
            if (items.size() % 2 != 0) throw bad("odd number of dict items");
            for (int i = 0; i < items.size(); i += 2) m.put(key(items.get(i)), items.get(i + 1));
        }

        Object key(Object k) {
            if (k instanceof List<?> || k instanceof Map<?, ?> || k instanceof LinkedHashSet<?>) {
                throw bad("unhashable dict key " + describe(k));
            }
            return k;
        }

        Object persistent(Object pid) {
            // ('storage', StorageType, key, location, numel[, view_metadata])
            if (pid instanceof Tuple t && t.size() >= 5 && "storage".equals(t.get(0))) {
                String type;
                if (t.get(1) instanceof Global g && (g.module().equals("torch") || g.module().equals("torch.storage"))
                        && STORAGE_DTYPES.containsKey(g.name())) {
                    type = g.name();
                } else if (t.get(1) instanceof TorchDtype td) {
                    type = "dtype:" + td.name(); // untyped storage saved with a dtype (newer torch)
                } else {
                    throw bad("persistent id with storage type " + describe(t.get(1)));
                }
                if (!(t.get(2) instanceof String key)) throw bad("persistent id key is not a string");
                String loc = t.get(3) instanceof String s ? s : String.valueOf(t.get(3));
                if (!(t.get(4) instanceof Long numel) || numel < 0) throw bad("persistent id numel is not a count");
                if (t.size() >= 6 && t.get(5) != NONE) throw bad("legacy storage views (view_metadata) are not supported");
                return new StorageRef(type, key, loc, numel);
            }
            throw bad("persistent id " + describe(pid) + " is not a storage");
        }

        Object call(Object fn, List<Object> args) {
            if (!(fn instanceof Global g)) {
                if (fn instanceof TorchDtype) throw bad("calling a dtype");
                throw bad("call of " + describe(fn));
            }
            String q = g.qualified();
            switch (q) {
                case "collections.OrderedDict":
                    if (!args.isEmpty()) {
                        // OrderedDict([(k, v), ...])
                        Map<Object, Object> m = new LinkedHashMap<>();
                        if (args.get(0) instanceof List<?> l) {
                            for (Object kv : l) {
                                if (!(kv instanceof Tuple t) || t.size() != 2) throw bad("OrderedDict item is not a pair");
                                m.put(key(t.get(0)), t.get(1));
                            }
                            return m;
                        }
                        throw bad("OrderedDict with " + describe(args.get(0)));
                    }
                    return new LinkedHashMap<>();
                case "torch.Size":
                    if (args.size() == 1 && args.get(0) instanceof Tuple t) return t;
                    throw bad("torch.Size of " + args);
                case "torch.device":
                    return args.isEmpty() ? "" : String.valueOf(args.get(0)) + (args.size() > 1 ? ":" + args.get(1) : "");
                case "torch.serialization._get_layout":
                    return args.isEmpty() ? "" : String.valueOf(args.get(0));
                case "_codecs.encode":
                    if (!args.isEmpty() && args.get(0) instanceof String s) {
                        return new PBytes(s.getBytes(StandardCharsets.ISO_8859_1));
                    }
                    throw bad("_codecs.encode of " + describe(args.isEmpty() ? NONE : args.get(0)));
                case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset": {
                    Set<Object> s = new LinkedHashSet<>();
                    if (!args.isEmpty() && args.get(0) instanceof List<?> l) for (Object o : l) s.add(key(o));
                    return s;
                }
                case "builtins.bytearray", "__builtin__.bytearray":
                    return args.isEmpty() ? new PBytes(new byte[0]) : args.get(0);
                case "torch.nn.parameter.Parameter":
                    if (!args.isEmpty() && args.get(0) instanceof TensorRef t) return t;
                    throw bad("Parameter of " + describe(args.isEmpty() ? NONE : args.get(0)));
                case "torch._tensor._rebuild_from_type_v2":
                    // (func, type, args, dict): func must itself be an allowlisted rebuild
                    if (args.size() >= 3 && args.get(2) instanceof Tuple inner) return call(args.get(0), inner.items());
                    throw bad("_rebuild_from_type_v2 arguments");
                default:
                    break;
            }
            if (g.module().equals("torch._utils")) return rebuild(g.name(), args);
            if (policy == Policy.DCP_METADATA && DCP_CLASSES.contains(q)) {
                if (g.module().equals("pathlib")) return String.join("/", args.stream().map(String::valueOf).toList());
                return new PObject(g, args);
            }
            throw bad("call of " + q + " is not evaluated");
        }

        Object rebuild(String name, List<Object> a) {
            switch (name) {
                case "_rebuild_parameter", "_rebuild_parameter_with_state": {
                    if (!a.isEmpty() && a.get(0) instanceof TensorRef t) return t;
                    throw bad(name + " of " + describe(a.isEmpty() ? NONE : a.get(0)));
                }
                case "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3": {
                    if (a.size() < 4 || !(a.get(0) instanceof StorageRef s)) throw bad(name + " without a storage");
                    long offset = count(a.get(1), "storage offset");
                    List<Long> size = counts(a.get(2), "size");
                    List<Long> stride = counts(a.get(3), "stride");
                    if (size.size() != stride.size()) throw bad(name + ": size and stride of different rank");
                    String dtype;
                    if (name.equals("_rebuild_tensor_v3")) {
                        if (a.size() < 7 || !(a.get(6) instanceof TorchDtype td)) throw bad("_rebuild_tensor_v3 without a dtype");
                        dtype = td.name();
                    } else if (s.storageType().startsWith("dtype:")) {
                        dtype = s.storageType().substring(6);
                    } else {
                        dtype = STORAGE_DTYPES.get(s.storageType());
                    }
                    return new TensorRef(s, dtype, offset, size, stride);
                }
                default:
                    throw bad("torch._utils." + name + " is not evaluated");
            }
        }

        long count(Object o, String what) {
            if (o instanceof Long l && l >= 0) return l;
            throw bad(what + " is not a non-negative integer: " + describe(o));
        }

        List<Long> counts(Object o, String what) {
            if (!(o instanceof Tuple t)) throw bad(what + " is not a tuple: " + describe(o));
            List<Long> r = new ArrayList<>();
            for (Object x : t.items()) r.add(count(x, what));
            return r;
        }

        @SuppressWarnings("unchecked")
        void build(Object target, Object state) {
            if (target instanceof PObject p) {
                p.state = state;
            } else if (target instanceof TensorRef || target instanceof LinkedHashMap<?, ?>) {
                // tensor attributes / OrderedDict._metadata (module versions): set attributes, not items
            } else {
                throw bad("BUILD on " + describe(target));
            }
        }
    }

    /** A short description of a pickle value for messages. */
    static String describe(Object o) {
        if (o == null) return "null";
        if (o instanceof Global g) return g.qualified();
        if (o instanceof String s) return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        return o.getClass().getSimpleName();
    }
}
