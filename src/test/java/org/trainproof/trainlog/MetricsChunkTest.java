package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.bytes.Hex;

class MetricsChunkTest {
    @TempDir
    Path dir;

    static final ObjectMapper JSON = new ObjectMapper();

    Path log() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) sb.append("{\"step\": ").append(i).append(", \"loss\": ").append(i == 3 ? "NaN" : 10.0 - i)
                .append(", \"lr\": 0.001, \"_timestamp\": ").append(1700000000 + i).append("}\n");
        sb.append("{\"step\": 10, \"loss\": 0.5"); // live tail, not complete
        Path p = dir.resolve("train.jsonl");
        Files.writeString(p, sb.toString(), StandardCharsets.UTF_8);
        return p;
    }

    static String sha256(byte[] b, long start, long end) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(Arrays.copyOfRange(b, (int) start, (int) end));
        return Hex.encode(md.digest());
    }

    @Test
    void build_tilesTheStablePartAndHashesExactlyItsBytes() throws Exception {
        Path p = log();
        LogReadResult r = LogReaders.read(p);
        byte[] bytes = Files.readAllBytes(p);
        List<MetricsChunk> chunks = MetricsChunk.build(r, p, 0, 5);
        // 20 records (2 per line) in chunks of >= 5 records that never split a line: 6,6,6,2.
        assertEquals(List.of(6, 6, 6, 2), chunks.stream().map(c -> c.rows().size()).toList());
        long pos = 0;
        for (MetricsChunk c : chunks) {
            assertEquals(pos, c.start());
            assertEquals(sha256(bytes, c.start(), c.end()), c.sha256().toString());
            c.verifyBytes(p);
            pos = c.end();
        }
        assertEquals(r.files().get(0).stableEnd(), pos); // the unterminated tail is not in any chunk
        // Resuming from the end of chunk 2 gives the same last chunks.
        List<MetricsChunk> resumed = MetricsChunk.build(r, p, chunks.get(1).end(), 5);
        assertEquals(chunks.subList(2, 4), resumed);
    }

    @Test
    void streamingWriter_givesTheSameChunksAsBuild() throws Exception {
        Path p = log();
        LogReadResult kept = LogReaders.read(p);
        List<MetricsChunk> streamed = new ArrayList<>();
        LogReadResult r;
        try (MetricsChunk.Writer w = new MetricsChunk.Writer(p, LogFormat.JSONL, 0, 5, streamed::add)) {
            r = LogReaders.stream(p, LogFormat.JSONL, w);
            w.finish(r.files().get(0).stableEnd());
        }
        assertTrue(r.records().isEmpty());
        assertEquals(MetricsChunk.build(kept, p, 0, 5), streamed);
    }

    @Test
    void realTensorBoardFile_chunksTileAndVerify() throws Exception {
        Path p = Path.of("..", "shared", "realdata", "logs", "tensorboard", "poem-generator-tinyllama-lora.tfevents");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(p), "../shared absent");
        LogReadResult r = LogReaders.read(p);
        List<MetricsChunk> chunks = MetricsChunk.build(r, p, 0, 1000);
        assertEquals(r.records().size(), chunks.stream().mapToInt(c -> c.rows().size()).sum());
        long pos = 0;
        for (MetricsChunk c : chunks) {
            assertEquals(pos, c.start());
            c.verifyBytes(p);
            assertEquals(c, MetricsChunk.parse(JSON.readTree(JSON.writeValueAsString(c.toJson()))));
            pos = c.end();
        }
        assertEquals(Files.size(p), pos);
    }

    @Test
    void json_roundTripsIncludingNonFiniteValuesAsStrings() throws Exception {
        Path p = log();
        MetricsChunk c = MetricsChunk.build(LogReaders.read(p), p, 0, 100).get(0);
        ObjectNode o = c.toJson();
        assertEquals(List.of("source", "format", "byte_range", "sha256", "metrics", "records"), iter(o));
        assertEquals("[\"train/loss\",\"train/lr\"]", o.get("metrics").toString());
        assertEquals("[3,0,\"NaN\",1.700000003E9]", o.get("records").get(6).toString());
        String text = JSON.writeValueAsString(o);
        assertTrue(!text.contains("NaN,") && !text.contains(":NaN"), "no bare NaN token in the JSON");
        MetricsChunk back = MetricsChunk.parse(JSON.readTree(text));
        assertEquals(c, back);
        assertTrue(Double.isNaN(back.rows().get(6).value()));
        assertEquals(c.records().size(), back.records().size());
    }

    static List<String> iter(JsonNode o) {
        List<String> l = new ArrayList<>();
        o.fieldNames().forEachRemaining(l::add);
        return l;
    }

    @Test
    void verifyBytes_detectsAnEditedLogByte() throws Exception {
        Path p = log();
        MetricsChunk c = MetricsChunk.build(LogReaders.read(p), p, 0, 100).get(0);
        byte[] b = Files.readAllBytes(p);
        b[20] ^= 0x01; // modified-log-byte
        Files.write(p, b);
        TrainproofException e = assertThrows(TrainproofException.class, () -> c.verifyBytes(p));
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
    }

    @Test
    void parse_rejectsMalformedBodies() throws Exception {
        Path p = log();
        ObjectNode good = MetricsChunk.build(LogReaders.read(p), p, 0, 100).get(0).toJson();
        List<java.util.function.Consumer<ObjectNode>> tampers = List.of(
                o -> o.remove("sha256"),
                o -> o.put("sha256", "ABC"),
                o -> o.putArray("byte_range").add(10).add(5),
                o -> ((ArrayNode) o.get("records").get(0)).set(1, JSON.getNodeFactory().numberNode(7)),
                o -> ((ArrayNode) o.get("records").get(0)).set(2, JSON.getNodeFactory().textNode("nan")),
                o -> ((ArrayNode) o.get("records").get(0)).set(0, JSON.getNodeFactory().numberNode(-1)),
                o -> ((ArrayNode) o.get("records").get(0)).remove(3),
                o -> ((ArrayNode) o.get("metrics")).add("train/loss"),
                o -> o.put("extra", 1),
                o -> o.put("format", "nope"));
        int i = 0;
        for (var t : tampers) {
            ObjectNode o = good.deepCopy();
            t.accept(o);
            TrainproofException e = assertThrows(TrainproofException.class, () -> MetricsChunk.parse(o), "tamper " + i);
            assertEquals(ExitCode.BAD_INPUT, e.exitCode());
            i++;
        }
    }

    @Test
    void chunkOfAMillionRecords_isCompactJson() throws Exception {
        // Size check of the body format (no timing): 1,000,000 rows of realistic values.
        List<MetricsChunk.Row> rows = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) rows.add(new MetricsChunk.Row(i / 4, i % 4, 3.0 + 1.0 / (i + 1), 1.7e9 + i * 0.25));
        MetricsChunk c = new MetricsChunk("train.jsonl", LogFormat.JSONL, 0, 1, org.trainproof.bytes.Digest.sha256(new byte[0]),
                List.of("train/loss", "train/lr", "train/grad_norm", "train/tokens"), rows);
        int bytes = JSON.writeValueAsBytes(c.toJson()).length;
        assertTrue(bytes < 200_000_000 / 3, "1M records took " + bytes + " bytes");
    }

    /**
     * digestsOf (one open file and one buffer for many ranges) against SHA-256 of each range computed
     * here from the file's bytes: consecutive chunks as a log's are, ranges across the 64 KiB buffer's
     * edges, empty, repeated, overlapping and backward ones; and a range past the end is an error
     * naming the file.
     */
    @Test
    void digestsOf_equalsEachRangesSha256_inAnyOrder_andAShortFileIsNamed() throws Exception {
        byte[] bytes = new byte[300_000];
        new java.util.Random(5).nextBytes(bytes);
        Path f = Files.write(dir.resolve("log.bin"), bytes);
        java.util.Random r = new java.util.Random(6);
        List<long[]> ranges = new ArrayList<>();
        for (long at = 0; at < bytes.length; ) { // consecutive chunks of 1 B to 100 KB
            long end = Math.min(bytes.length, at + 1 + r.nextInt(r.nextBoolean() ? 200 : 100_000));
            ranges.add(new long[] {at, end});
            at = end;
        }
        ranges.add(new long[] {65_530, 65_542}); // across the buffer's edge, after the end was read: backward
        ranges.add(new long[] {10, 10});
        ranges.add(new long[] {0, bytes.length});
        ranges.add(new long[] {0, bytes.length});
        for (int i = 0; i < 50; i++) {
            long a = r.nextInt(bytes.length);
            ranges.add(new long[] {a, a + r.nextInt((int) (bytes.length - a) + 1)});
        }
        long[] starts = ranges.stream().mapToLong(x -> x[0]).toArray();
        long[] ends = ranges.stream().mapToLong(x -> x[1]).toArray();
        org.trainproof.bytes.Digest[] got = MetricsChunk.digestsOf(f, starts, ends, 0, starts.length);
        for (int i = 0; i < starts.length; i++) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes, (int) starts[i], (int) (ends[i] - starts[i]));
            assertEquals(Hex.encode(md.digest()), got[i].toString(), "range " + starts[i] + ".." + ends[i]);
        }
        org.trainproof.bytes.Digest[] part = MetricsChunk.digestsOf(f, starts, ends, 3, 7);
        assertEquals(4, part.length);
        for (int i = 0; i < 4; i++) assertEquals(got[3 + i], part[i]);
        TrainproofException e = assertThrows(TrainproofException.class,
                () -> MetricsChunk.digestsOf(f, new long[] {0, 299_990}, new long[] {10, 300_010}, 0, 2));
        assertTrue(e.getMessage().contains("log.bin") && e.getMessage().contains("300000"), e.getMessage());
    }
}
