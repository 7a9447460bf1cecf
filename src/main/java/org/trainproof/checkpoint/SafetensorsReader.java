package org.trainproof.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.trainproof.bytes.Digest;

/**
 * Reads and validates a safetensors header at least as strictly as the reference parser
 * ({@code SafeTensors::read_metadata}, formats.md §1.3), in the reference's order of checks, plus:
 * duplicate keys anywhere in the header are rejected, dims and offsets are exact unsigned 64-bit
 * integers (never doubles), and the header is parsed streaming (never allocated whole) through a
 * strict UTF-8 decoder. Nothing the header claims is allocated.
 */
public final class SafetensorsReader {
    /** The reference parser's MAX_HEADER_SIZE (formats.md §1.3 rule 2). */
    public static final long MAX_HEADER_SIZE = 100_000_000L;
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final byte[] LFS_PREFIX = "version https://git-lfs.github.com/spec/".getBytes(StandardCharsets.US_ASCII);

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16) // the header is at most 3 levels deep
                    .maxNumberLength(64) // a u64 has 20 digits
                    .maxStringLength((int) MAX_HEADER_SIZE)
                    .maxNameLength((int) MAX_HEADER_SIZE)
                    .maxDocumentLength(MAX_HEADER_SIZE)
                    .build())
            .build();

    private SafetensorsReader() {}

    /** Reads and validates the header of {@code file}; {@code where} names it in errors. */
    public static SafetensorsHeader readHeader(Path file, String where) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(ch, where);
        } catch (NoSuchFileException e) {
            throw new SafetensorsFormatException(where, SafetensorsRule.UNREADABLE, "no such file");
        } catch (IOException e) {
            throw new SafetensorsFormatException(where, SafetensorsRule.UNREADABLE, "cannot read: " + e.getMessage(), e);
        }
    }

    public static SafetensorsHeader readHeader(Path file) {
        return readHeader(file, file.toString());
    }

    static SafetensorsHeader readHeader(FileChannel ch, String where) throws IOException {
        long size = ch.size();
        checkNotLfsPointer(ch, size, where);
        if (size < 8) {
            throw new SafetensorsFormatException(where, SafetensorsRule.HEADER_TOO_SMALL,
                    "file has " + size + " bytes, fewer than the 8-byte header length");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, prefix, 0, where);
        long n = prefix.getLong(0);
        if (n < 0 || n > MAX_HEADER_SIZE) {
            throw new SafetensorsFormatException(where, SafetensorsRule.HEADER_TOO_LARGE,
                    "header length " + Long.toUnsignedString(n) + " exceeds the limit " + MAX_HEADER_SIZE);
        }
        if (8 + n > size) {
            throw new SafetensorsFormatException(where, SafetensorsRule.INVALID_HEADER_LENGTH,
                    "header length " + n + " runs past the end of the " + size + "-byte file");
        }
        MessageDigest md = Digest.newSha256();
        md.update(prefix.array());
        Parsed parsed;
        try (InputStream in = new HashingChannelStream(ch, 8, n, md, where)) {
            Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT));
            parsed = parse(reader, where);
            byte[] rest = new byte[4096];
            while (in.read(rest, 0, rest.length) >= 0) {
                // hash any bytes the JSON parser did not need to read
            }
        }
        Digest headerDigest = Digest.of(md.digest());
        List<TensorEntry> tensors = validateLayout(parsed.tensors, n, size, where);
        return new SafetensorsHeader(n, size, parsed.metadata, tensors, headerDigest);
    }

    /** A small file starting "version https://git-lfs.github.com/spec/" is a pointer stub, not a checkpoint. */
    private static void checkNotLfsPointer(FileChannel ch, long size, String where) throws IOException {
        if (size < LFS_PREFIX.length || size > 1024) return;
        ByteBuffer b = ByteBuffer.allocate((int) size);
        readFully(ch, b, 0, where);
        byte[] a = b.array();
        for (int i = 0; i < LFS_PREFIX.length; i++) {
            if (a[i] != LFS_PREFIX[i]) return;
        }
        String text = new String(a, StandardCharsets.UTF_8);
        String oid = "", sz = "";
        for (String line : text.split("\n")) {
            if (line.startsWith("oid ")) oid = line.substring(4).trim();
            if (line.startsWith("size ")) sz = line.substring(5).trim();
        }
        throw new SafetensorsFormatException(where, SafetensorsRule.CONTENT_ABSENT,
                "content absent: this is a Git-LFS pointer stub (" + oid + ", size " + sz
                        + "), not the checkpoint; fetch it with 'git lfs pull'");
    }

    static void readFully(FileChannel ch, ByteBuffer b, long pos, String where) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) {
                throw new SafetensorsFormatException(where, SafetensorsRule.UNREADABLE,
                        "file ended at byte " + pos + " while reading (changed while reading?)");
            }
            pos += r;
        }
    }

    private record RawTensor(String name, Dtype dtype, List<BigInteger> shape, BigInteger begin, BigInteger end) {}

    private record Parsed(Map<String, String> metadata, List<RawTensor> tensors) {}

    private static SafetensorsFormatException deser(String where, String what) {
        return new SafetensorsFormatException(where, SafetensorsRule.INVALID_HEADER_DESERIALIZATION, what);
    }

    private static Parsed parse(Reader reader, String where) throws IOException {
        Map<String, String> metadata = new HashMap<>();
        List<RawTensor> tensors = new ArrayList<>();
        try (JsonParser p = JSON.createParser(reader)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw deser(where, "header is not a JSON object");
            }
            Set<String> keys = new HashSet<>();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (!keys.add(key)) {
                    throw new SafetensorsFormatException(where, SafetensorsRule.DUPLICATE_KEY,
                            "key '" + key + "' appears twice in the header");
                }
                JsonToken v = p.nextToken();
                if (key.equals("__metadata__")) {
                    if (v == JsonToken.VALUE_NULL) continue;
                    if (v != JsonToken.START_OBJECT) throw deser(where, "__metadata__ is not an object of strings");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String mk = p.currentName();
                        if (p.nextToken() != JsonToken.VALUE_STRING) {
                            throw deser(where, "__metadata__ value of '" + mk + "' is not a string");
                        }
                        if (metadata.put(mk, p.getText()) != null) {
                            throw new SafetensorsFormatException(where, SafetensorsRule.DUPLICATE_KEY,
                                    "key '" + mk + "' appears twice in __metadata__");
                        }
                    }
                } else {
                    tensors.add(parseTensor(p, v, key, where));
                }
            }
            if (t != JsonToken.END_OBJECT) throw deser(where, "header JSON is malformed");
            if (p.nextToken() != null) throw deser(where, "content after the header JSON object");
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(where, SafetensorsRule.INVALID_HEADER_UTF8,
                    "header bytes are not valid UTF-8");
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new SafetensorsFormatException(where, SafetensorsRule.INVALID_HEADER_UTF8,
                        "header bytes are not valid UTF-8");
            }
            throw deser(where, "header is not valid JSON: " + e.getOriginalMessage());
        }
        return new Parsed(metadata, tensors);
    }

    private static RawTensor parseTensor(JsonParser p, JsonToken v, String name, String where) throws IOException {
        String at = "tensor '" + name + "': ";
        if (v != JsonToken.START_OBJECT) throw deser(where, at + "entry is not an object");
        Dtype dtype = null;
        List<BigInteger> shape = null;
        List<BigInteger> offsets = null;
        Set<String> fields = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            if (!fields.add(f)) {
                throw new SafetensorsFormatException(where, SafetensorsRule.DUPLICATE_KEY,
                        at + "field '" + f + "' appears twice");
            }
            JsonToken ft = p.nextToken();
            switch (f) {
                case "dtype" -> {
                    if (ft != JsonToken.VALUE_STRING) throw deser(where, at + "dtype is not a string");
                    String s = p.getText();
                    dtype = Dtype.parse(s).orElseThrow(() -> deser(where, at + "unknown dtype '" + s + "'"));
                }
                case "shape" -> shape = parseU64Array(p, ft, where, at + "shape");
                case "data_offsets" -> {
                    offsets = parseU64Array(p, ft, where, at + "data_offsets");
                    if (offsets.size() != 2) throw deser(where, at + "data_offsets has " + offsets.size() + " entries, not 2");
                }
                default -> p.skipChildren(); // unknown fields are ignored, as serde does
            }
        }
        if (dtype == null) throw deser(where, at + "missing dtype");
        if (shape == null) throw deser(where, at + "missing shape");
        if (offsets == null) throw deser(where, at + "missing data_offsets");
        return new RawTensor(name, dtype, shape, offsets.get(0), offsets.get(1));
    }

    private static List<BigInteger> parseU64Array(JsonParser p, JsonToken t, String where, String what) throws IOException {
        if (t != JsonToken.START_ARRAY) throw deser(where, what + " is not an array");
        List<BigInteger> out = new ArrayList<>();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.VALUE_NUMBER_INT) throw deser(where, what + " holds a non-integer (" + e + ")");
            BigInteger b = p.getBigIntegerValue();
            if (b.signum() < 0 || b.compareTo(U64_MAX) > 0) {
                throw deser(where, what + " holds " + b + ", outside the unsigned 64-bit range");
            }
            out.add(b);
        }
        return out;
    }

    /** §1.3 rules 6 and 7: sort by offsets, tile the buffer from 0, sizes match dtype × shape, no trailing bytes. */
    private static List<TensorEntry> validateLayout(List<RawTensor> raw, long n, long fileSize, String where) {
        List<RawTensor> sorted = new ArrayList<>(raw);
        sorted.sort(Comparator.comparing(RawTensor::begin).thenComparing(RawTensor::end));
        List<TensorEntry> out = new ArrayList<>(sorted.size());
        BigInteger start = BigInteger.ZERO;
        for (RawTensor r : sorted) {
            String at = "tensor '" + r.name + "': ";
            if (!r.begin.equals(start) || r.end.compareTo(r.begin) < 0) {
                throw new SafetensorsFormatException(where, SafetensorsRule.INVALID_OFFSET,
                        at + "data_offsets [" + r.begin + ", " + r.end + "] do not start at " + start
                                + " (tensors must tile the data buffer with no gaps or overlaps)");
            }
            BigInteger count = BigInteger.ONE;
            for (BigInteger d : r.shape) count = count.multiply(d);
            BigInteger bits = count.multiply(BigInteger.valueOf(r.dtype.bits()));
            if (bits.compareTo(U64_MAX) > 0 || count.compareTo(U64_MAX) > 0) {
                throw new SafetensorsFormatException(where, SafetensorsRule.VALIDATION_OVERFLOW,
                        at + "shape " + r.shape + " × " + r.dtype.bits() + " bits overflows 64 bits");
            }
            if (bits.mod(BigInteger.valueOf(8)).signum() != 0) {
                throw new SafetensorsFormatException(where, SafetensorsRule.MISALIGNED_SLICE,
                        at + count + " elements of " + r.dtype + " make " + bits + " bits, not whole bytes");
            }
            BigInteger bytes = bits.shiftRight(3);
            if (!r.end.subtract(r.begin).equals(bytes)) {
                throw new SafetensorsFormatException(where, SafetensorsRule.TENSOR_INVALID_INFO,
                        at + "data_offsets span " + r.end.subtract(r.begin) + " bytes but " + r.dtype + " " + r.shape
                                + " needs " + bytes);
            }
            // From here on everything fits in a long: END <= the file size is checked below, and any
            // END beyond 2^63 cannot match a real file length.
            if (r.end.bitLength() > 62 || count.bitLength() > 62) {
                throw new SafetensorsFormatException(where, SafetensorsRule.METADATA_INCOMPLETE_BUFFER,
                        at + "data_offsets end at " + r.end + ", beyond the " + fileSize + "-byte file");
            }
            List<Long> shape = new ArrayList<>(r.shape.size());
            for (BigInteger d : r.shape) shape.add(d.longValue()); // each dim <= count < 2^62, or count = 0
            out.add(new TensorEntry(r.name, r.dtype, shape, count.longValue(), r.begin.longValue(), r.end.longValue()));
            start = r.end;
        }
        BigInteger expected = start.add(BigInteger.valueOf(8 + n));
        if (!expected.equals(BigInteger.valueOf(fileSize))) {
            throw new SafetensorsFormatException(where, SafetensorsRule.METADATA_INCOMPLETE_BUFFER,
                    "header and tensors account for " + expected + " bytes but the file has " + fileSize
                            + (expected.compareTo(BigInteger.valueOf(fileSize)) < 0 ? " (trailing bytes)" : " (missing bytes)"));
        }
        return out;
    }

    /** Streams [pos, pos + len) of a channel in 64 KiB steps, feeding every byte to {@code md}. */
    private static final class HashingChannelStream extends InputStream {
        private final FileChannel ch;
        private final MessageDigest md;
        private final String where;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        private long pos;
        private long remaining;

        HashingChannelStream(FileChannel ch, long pos, long len, MessageDigest md, String where) {
            this.ch = ch;
            this.pos = pos;
            this.remaining = len;
            this.md = md;
            this.where = where;
            buf.limit(0);
        }

        private boolean fill() throws IOException {
            if (remaining == 0) return false;
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), remaining));
            readFully(ch, buf, pos, where);
            buf.flip();
            md.update(buf.array(), 0, buf.limit());
            pos += buf.limit();
            remaining -= buf.limit();
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!buf.hasRemaining() && !fill()) return -1;
            return buf.get() & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (!buf.hasRemaining() && !fill()) return -1;
            int k = Math.min(len, buf.remaining());
            buf.get(b, off, k);
            return k;
        }
    }
}
