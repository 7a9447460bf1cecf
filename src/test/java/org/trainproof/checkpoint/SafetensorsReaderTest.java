package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/** The reference parser's test vectors (formats.md §1.5) and the derived fuzz cases, each with its rule. */
class SafetensorsReaderTest {
    @TempDir
    Path dir;

    static byte[] le64(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A file whose header is exactly {@code json} (N = its byte length) followed by {@code data}. */
    static byte[] file(String json, int dataBytes) {
        byte[] h = ascii(json);
        return cat(le64(h.length), h, new byte[dataBytes]);
    }

    private SafetensorsHeader read(byte[] content) throws IOException {
        Path p = Files.createTempFile(dir, "v", ".safetensors");
        Files.write(p, content);
        return SafetensorsReader.readHeader(p);
    }

    private void expect(SafetensorsRule rule, byte[] content) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> read(content));
        assertEquals(rule, e.rule(), e.getMessage());
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
    }

    static final String TEST_I32 = "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";

    /** Each §1.5 bad vector with the rule the reference parser reports; collected, fails if none read. */
    @Test
    void referenceBadVectors_eachRejectedWithItsRule() {
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("empty", new Object[] {SafetensorsRule.HEADER_TOO_SMALL, new byte[0]});
        cases.put("N=60 nothing after", new Object[] {SafetensorsRule.INVALID_HEADER_LENGTH, cat(new byte[] {'<', 0, 0, 0, 0, 0, 0, 0})});
        cases.put("N huge", new Object[] {SafetensorsRule.HEADER_TOO_LARGE,
                cat(new byte[] {'<', 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff}, ascii("{}"))});
        cases.put("bad utf8", new Object[] {SafetensorsRule.INVALID_HEADER_UTF8, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff}});
        cases.put("lone brace", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, '{'}});
        cases.put("polyglot trailing", new Object[] {SafetensorsRule.METADATA_INCOMPLETE_BUFFER,
                cat(file(TEST_I32, 16), ascii("extra_bogus_data_for_polyglot_file"))});
        cases.put("14 data bytes", new Object[] {SafetensorsRule.METADATA_INCOMPLETE_BUFFER, file(TEST_I32, 14)});
        cases.put("no data, [0,4]", new Object[] {SafetensorsRule.TENSOR_INVALID_INFO,
                file("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0, 4]}}", 0)});
        cases.put("overflow 2^64-2", new Object[] {SafetensorsRule.VALIDATION_OVERFLOW,
                file("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,18446744073709551614],\"data_offsets\":[0,16]}}", 16)});
        cases.put("overflow 2^63-1", new Object[] {SafetensorsRule.VALIDATION_OVERFLOW,
                file("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,9223372036854775807],\"data_offsets\":[0,16]}}", 16)});
        StringBuilder attack = new StringBuilder("{");
        for (int i = 0; i < 10; i++) {
            attack.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}");
        }
        cases.put("json attack", new Object[] {SafetensorsRule.INVALID_OFFSET, file(attack + "}", 16)});
        cases.put("F4 [1,3]", new Object[] {SafetensorsRule.MISALIGNED_SLICE,
                file("{\"x\":{\"dtype\":\"F4\",\"shape\":[1,3],\"data_offsets\":[0,2]}}", 2)});
        // derived fuzz cases (formats.md §1.5, last paragraph)
        cases.put("N=2^63", new Object[] {SafetensorsRule.HEADER_TOO_LARGE, cat(le64(Long.MIN_VALUE), ascii("{}"))});
        cases.put("N=2^64-1", new Object[] {SafetensorsRule.HEADER_TOO_LARGE, cat(le64(-1L), ascii("{}"))});
        cases.put("N=100,000,001", new Object[] {SafetensorsRule.HEADER_TOO_LARGE, cat(le64(100_000_001L), ascii("{}"))});
        cases.put("END near 2^64", new Object[] {SafetensorsRule.INVALID_OFFSET,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[18446744073709551615,0]}}", 0)});
        cases.put("END huge", new Object[] {SafetensorsRule.TENSOR_INVALID_INFO,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,18446744073709551615]}}", 1)});
        cases.put("dim > 2^53", new Object[] {SafetensorsRule.TENSOR_INVALID_INFO,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[9007199254740993],\"data_offsets\":[0,8]}}", 8)});
        cases.put("negative dim", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0)});
        cases.put("float dim", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[2.0],\"data_offsets\":[0,2]}}", 2)});
        cases.put("array header", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION, file("[1,2]", 0)});
        cases.put("string header", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION, file("\"x\"", 0)});
        cases.put("numeric metadata", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                file("{\"__metadata__\":{\"a\":1}}", 0)});
        cases.put("BOM", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                cat(le64(5), new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'})});
        cases.put("NUL padding", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                cat(le64(4), new byte[] {'{', '}', 0, 0})});
        cases.put("unknown dtype", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                file("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1)});
        cases.put("lowercase dtype", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                file("{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)});
        cases.put("3 offsets", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,2]}}", 1)});
        cases.put("missing shape", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                file("{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", 1)});
        cases.put("NaN in shape", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[NaN],\"data_offsets\":[0,1]}}", 1)});
        cases.put("truncated", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1]", 1)});
        cases.put("two documents", new Object[] {SafetensorsRule.INVALID_HEADER_DESERIALIZATION, file("{} {}", 0)});
        cases.put("duplicate tensor", new Object[] {SafetensorsRule.DUPLICATE_KEY,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2)});
        cases.put("duplicate __metadata__", new Object[] {SafetensorsRule.DUPLICATE_KEY,
                file("{\"__metadata__\":{},\"__metadata__\":{}}", 0)});
        cases.put("duplicate metadata key", new Object[] {SafetensorsRule.DUPLICATE_KEY,
                file("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0)});
        cases.put("duplicate field", new Object[] {SafetensorsRule.DUPLICATE_KEY,
                file("{\"a\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1)});
        cases.put("gap", new Object[] {SafetensorsRule.INVALID_OFFSET,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2)});
        cases.put("end before begin", new Object[] {SafetensorsRule.INVALID_OFFSET,
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},\"b\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},\"c\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,0]}}", 1)});
        cases.put("surrogate in UTF-8", new Object[] {SafetensorsRule.INVALID_HEADER_UTF8,
                cat(le64(7), new byte[] {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'})});
        cases.put("overlong UTF-8", new Object[] {SafetensorsRule.INVALID_HEADER_UTF8,
                cat(le64(6), new byte[] {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'})});

        List<String> failures = new ArrayList<>();
        int read = 0;
        for (Map.Entry<String, Object[]> c : cases.entrySet()) {
            read++;
            SafetensorsRule want = (SafetensorsRule) c.getValue()[0];
            try {
                read((byte[]) c.getValue()[1]);
                failures.add(c.getKey() + ": accepted, want " + want);
            } catch (SafetensorsFormatException e) {
                if (e.rule() != want) failures.add(c.getKey() + ": " + e.rule() + " want " + want + " (" + e.getMessage() + ")");
            } catch (Exception e) {
                failures.add(c.getKey() + ": leaked " + e);
            }
        }
        assertTrue(read >= 40, "read " + read + " cases");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void referenceGoodVectors_accepted() throws IOException {
        SafetensorsHeader h = read(file(TEST_I32, 16));
        assertEquals(1, h.tensors().size());
        assertEquals(List.of(2L, 2L), h.tensors().get(0).shape());
        assertEquals(16, h.tensors().get(0).byteLength());

        SafetensorsHeader scalar = read(file("{\"test\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}", 4));
        assertEquals(1, scalar.tensors().get(0).count());

        SafetensorsHeader zero = read(file("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,0],\"data_offsets\":[0, 0]}}", 0));
        assertEquals(0, zero.tensors().get(0).count());

        assertEquals(0, read(cat(le64(6), ascii("{}\r \t\n"))).tensors().size());
        assertEquals(0, read(cat(le64(6), ascii("\t\n{}\r "))).tensors().size());
        assertEquals(0, read(cat(le64(2), ascii("{}"))).tensors().size());

        SafetensorsHeader md = read(file("{\"__metadata__\":{\"framework\":\"pt\"}}     ", 0));
        assertEquals(Map.of("framework", "pt"), md.metadata());
        assertEquals(0, read(file("{\"__metadata__\":null}", 0)).tensors().size());
        // unknown fields inside a tensor are ignored, as serde does
        assertEquals(1, read(file("{\"a\":{\"dtype\":\"U8\",\"extra\":{\"x\":[1]},\"shape\":[1],\"data_offsets\":[0,1]}}", 1)).tensors().size());
        // F4 with an even count: 2 per byte; F6: 4 per 3 bytes
        assertEquals(2, read(file("{\"x\":{\"dtype\":\"F4\",\"shape\":[2,2],\"data_offsets\":[0,2]}}", 2)).tensors().get(0).byteLength());
        assertEquals(3, read(file("{\"x\":{\"dtype\":\"F6_E2M3\",\"shape\":[4],\"data_offsets\":[0,3]}}", 3)).tensors().get(0).byteLength());
    }

    @Test
    void readHeader_tensorsSortedByOffsetNotKeyOrder() throws IOException {
        SafetensorsHeader h = read(file("{\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 2));
        assertEquals("a", h.tensors().get(0).name());
        assertEquals("b", h.tensors().get(1).name());
    }

    @Test
    void headerDigest_coversLengthPrefixAndPadding() throws IOException {
        byte[] f = file(TEST_I32 + "    ", 16);
        SafetensorsHeader h = read(f);
        byte[] head = java.util.Arrays.copyOf(f, (int) h.dataStart());
        assertEquals(org.trainproof.bytes.Digest.sha256(head), h.headerDigest());
    }

    @Test
    void lfsPointerStub_reportedAsContentAbsent() throws IOException {
        byte[] stub = ascii("version https://git-lfs.github.com/spec/v1\n"
                + "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n");
        expect(SafetensorsRule.CONTENT_ABSENT, stub);
    }

    @Test
    void hugeHeaderLengthWithinFile_parsedStreamingNotAllocated() throws IOException {
        // A 20 MB header of spaces after "{}": valid, parsed without holding it in memory twice.
        int n = 20_000_000;
        byte[] f = new byte[8 + n];
        System.arraycopy(le64(n), 0, f, 0, 8);
        java.util.Arrays.fill(f, 8, f.length, (byte) ' ');
        f[8] = '{';
        f[9] = '}';
        assertEquals(0, read(f).tensors().size());
    }
}
