package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Severity;

class TensorBoardReaderTest {
    @TempDir
    Path dir;

    Path write(String name, byte[]... records) throws IOException {
        Path p = dir.resolve(name);
        byte[][] framed = new byte[records.length][];
        for (int i = 0; i < records.length; i++) framed[i] = Pb.record(records[i]);
        Files.write(p, Pb.concat(framed));
        return p;
    }

    static List<String> codes(LogReadResult r) {
        return r.findings().stream().map(Finding::code).toList();
    }

    @Test
    void maskedCrc32c_matchesReferenceVectors() {
        // formats.md §5.2 test vectors (VERIFIED there): crc32c(32 zeros), masked("\x1a\x11CRC test, one two").
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(new byte[32]);
        assertEquals(0x8A9136AAL, c.getValue());
        byte[] s = Pb.concat(new byte[] {0x1A, 0x11}, "CRC test, one two".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0x5794D08A, TfRecords.maskedCrc32c(s, 0, s.length));
        byte[] header = {0x18, 0, 0, 0, 0, 0, 0, 0, (byte) 0xA3, 0x7F, 0x4B, 0x22};
        assertTrue(TfRecords.looksLikeTfRecord(header));
    }

    @Test
    void simpleValues_readWithStepWallTimeAndRecordRanges() throws IOException {
        Path p = write("events.out.tfevents.1.host", Pb.fileVersion(), Pb.scalarEvent(1.7e9, 0, "train/loss", 10.5f),
                Pb.scalarEvent(1.7e9 + 1, 10, "train/learning_rate", 3e-4f));
        assertEquals(LogFormat.TENSORBOARD, LogReaders.detect(p));
        LogReadResult r = LogReaders.read(p);
        assertEquals(2, r.records().size());
        MetricRecord a = r.records().get(0), b = r.records().get(1);
        assertEquals(0, a.step()); // proto3 omits step 0
        assertEquals("train/loss", a.metric());
        assertEquals(10.5, a.value());
        assertEquals(1.7e9, a.wallTime());
        assertEquals("train/lr", b.metric());
        assertEquals(10, b.step());
        assertEquals((double) 3e-4f, b.value());
        // Each record's range is its whole TFRecord: the next starts where it ends; the file ends with the last.
        assertEquals(a.source().end(), b.source().start());
        assertEquals(Files.size(p), b.source().end());
        assertEquals(Files.size(p), r.files().get(0).stableEnd());
        assertEquals(3, r.files().get(0).units());
    }

    @Test
    void tensorScalars_floatValDoubleValContentHalfVal() throws IOException {
        byte[] f32 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f).array();
        byte[] f64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).array();
        byte[] packedFloat = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.25f).array();
        Path p = write("events.out.tfevents.2.host",
                Pb.tensorEvent(1, 1, "a", Pb.msg().int64(1, 1).bytes(5, packedFloat), "scalars"),          // float_val packed
                Pb.tensorEvent(1, 2, "b", Pb.msg().int64(1, 2).dbl(6, 0.1), null),                          // double_val unpacked
                Pb.tensorEvent(1, 3, "c", Pb.msg().int64(1, 1).sub(2, Pb.msg()).bytes(4, f32), "scalars"),   // tensor_content f32, shape {}
                Pb.tensorEvent(1, 4, "d", Pb.msg().int64(1, 2).bytes(4, f64), "scalars"),                   // tensor_content f64
                Pb.tensorEvent(1, 5, "e", Pb.msg().int64(1, 19).int64(13, 0x3C00), "scalars"),              // half_val 1.0
                Pb.tensorEvent(1, 6, "f", Pb.msg().int64(1, 1).bytes(4, new byte[3]), "scalars"),           // content length != dtype size
                Pb.tensorEvent(1, 7, "g", Pb.msg().int64(1, 7).bytes(8, "hi".getBytes()), "text"),           // text plugin
                Pb.tensorEvent(1, 8, "h", Pb.msg().int64(1, 1)
                        .sub(2, Pb.msg().sub(2, Pb.msg().int64(1, 2))).bytes(5, Pb.concat(packedFloat, packedFloat)), "scalars")); // 2 elements
        LogReadResult r = LogReaders.read(p);
        List<String> got = r.records().stream().map(m -> m.metric() + "=" + m.value()).toList();
        assertEquals(List.of("a=1.25", "b=0.1", "c=2.5", "d=0.1", "e=1.0"), got);
        long skipped = r.findings().stream().filter(f -> f.code().equals(LogFindings.NON_NUMERIC_VALUE)).count();
        assertEquals(3, skipped, r.findings().toString()); // f (bad content length), g (text), h (2 elements)
    }

    @Test
    void badDataCrc_skipsThatRecordOnly() throws IOException {
        byte[] r0 = Pb.record(Pb.fileVersion());
        byte[] r1 = Pb.record(Pb.scalarEvent(1, 1, "loss", 1f));
        byte[] r2 = Pb.record(Pb.scalarEvent(1, 2, "loss", 2f));
        r1[r1.length - 1] ^= 0x01; // modified-data-crc
        Path p = dir.resolve("events.out.tfevents.3.h");
        Files.write(p, Pb.concat(r0, r1, r2));
        LogReadResult r = LogReaders.read(p);
        assertEquals(1, r.records().size());
        assertEquals(2, r.records().get(0).step());
        assertTrue(codes(r).contains(LogFindings.BAD_DATA_CRC));
    }

    @Test
    void badLengthCrc_stopsTheFile() throws IOException {
        byte[] r0 = Pb.record(Pb.scalarEvent(1, 1, "loss", 1f));
        byte[] r1 = Pb.record(Pb.scalarEvent(1, 2, "loss", 2f));
        byte[] r2 = Pb.record(Pb.scalarEvent(1, 3, "loss", 3f));
        r1[8] ^= 0x40; // modified-length-crc
        Path p = dir.resolve("events.out.tfevents.4.h");
        Files.write(p, Pb.concat(r0, r1, r2));
        LogReadResult r = LogReaders.read(p);
        assertEquals(1, r.records().size());
        assertTrue(codes(r).contains(LogFindings.BAD_LENGTH_CRC));
        assertEquals(r0.length, r.files().get(0).stableEnd());
    }

    @Test
    void truncatedTail_isInfoAndStableEndIsLastCompleteRecord() throws IOException {
        byte[] r0 = Pb.record(Pb.scalarEvent(1, 1, "loss", 1f));
        byte[] r1 = Pb.record(Pb.scalarEvent(1, 2, "loss", 2f));
        for (int cut : new int[] {1, 11, 12, 20, r1.length - 1}) {
            Path p = dir.resolve("events.out.tfevents.5." + cut);
            Files.write(p, Pb.concat(r0, java.util.Arrays.copyOf(r1, cut)));
            LogReadResult r = LogReaders.read(p, LogFormat.TENSORBOARD);
            assertEquals(1, r.records().size(), "cut " + cut);
            Finding t = r.findings().stream().filter(f -> f.code().equals(LogFindings.TRUNCATED_LAST_RECORD)).findFirst().orElseThrow();
            assertEquals(Severity.INFO, t.severity());
            assertEquals(r0.length, r.files().get(0).stableEnd());
        }
    }

    @Test
    void hugeLength_isNotAllocatedAndReadsAsTruncated() throws IOException {
        byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MIN_VALUE).array(); // 2^63
        byte[] head = Pb.concat(len, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Pb.masked(len)).array());
        Path p = dir.resolve("events.out.tfevents.6.h");
        Files.write(p, Pb.concat(Pb.record(Pb.scalarEvent(1, 1, "loss", 1f)), head, new byte[8]));
        LogReadResult r = LogReaders.read(p);
        assertEquals(1, r.records().size());
        assertTrue(codes(r).contains(LogFindings.TRUNCATED_LAST_RECORD));
    }

    @Test
    void malformedProtobufAndNanWallTime_areFindings() throws IOException {
        byte[] badVarint = {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
        byte[] nestedTooLong = Pb.msg().tag(5, 2).varint(100).raw(new byte[3]).build();
        Path p = write("events.out.tfevents.7.h", badVarint, nestedTooLong, Pb.scalarEvent(Double.NaN, 3, "loss", 1f),
                Pb.scalarEvent(1, 4, "loss", 4f));
        LogReadResult r = LogReaders.read(p);
        assertEquals(1, r.records().size());
        assertEquals(4, r.records().get(0).step());
        assertEquals(2, r.findings().stream().filter(f -> f.code().equals(LogFindings.MALFORMED_RECORD)).mapToLong(Finding::n).sum());
        assertTrue(codes(r).contains(LogFindings.NAN_WALL_TIME));
    }

    @Test
    void runDirectory_readsFilesInTimestampOrder() throws IOException {
        Path run = Files.createDirectory(dir.resolve("run"));
        Files.write(run.resolve("events.out.tfevents.200.host.1.0"), Pb.record(Pb.scalarEvent(2, 20, "loss", 2f)));
        Files.write(run.resolve("events.out.tfevents.100.host.1.0"), Pb.record(Pb.scalarEvent(1, 10, "loss", 1f)));
        assertEquals(LogFormat.TENSORBOARD, LogReaders.detect(run));
        LogReadResult r = LogReaders.read(run);
        assertEquals(List.of(10L, 20L), r.records().stream().map(MetricRecord::step).toList());
        assertFalse(codes(r).contains(LogFindings.STEP_BACKWARDS));
        assertEquals(2, r.files().size());
    }

    @Test
    void runDirectoryWithSubruns_prefixesTagsWithTheSubdirectory() throws IOException {
        Path run = Files.createDirectory(dir.resolve("logdir"));
        Path sub = Files.createDirectory(run.resolve("loss_train"));
        Files.write(run.resolve("events.out.tfevents.100.host.1.0"), Pb.record(Pb.scalarEvent(1, 1, "train/loss", 1f)));
        Files.write(sub.resolve("events.out.tfevents.101.host.1.0"), Pb.record(Pb.scalarEvent(1, 1, "loss", 2f)));
        LogReadResult r = LogReaders.read(run);
        assertEquals(List.of("train/loss", "loss_train/loss"), r.records().stream().map(MetricRecord::metric).toList());
    }

    @Test
    void emptyTrailingFile_onlyFileVersion() throws IOException {
        Path p = write("events.out.tfevents.8.h", Pb.fileVersion());
        LogReadResult r = LogReaders.read(p);
        assertTrue(r.records().isEmpty());
        assertTrue(codes(r).contains(LogFindings.EMPTY_LOG));
    }

    /**
     * A read resumed at any record boundary gives exactly the records a whole read gives from there:
     * the records before it still declare each tag's plugin. Tag "hist" is declared a histogram in
     * its first event only; its later one-element tensors are scalars to a reader that missed that
     * event. Declarations in a record with a bad data CRC, a NaN wall time or a negative step do not
     * count, in a whole read or a resumed one.
     */
    @Test
    void resumedAtEveryRecordBoundary_equalsWholeReadFromThere() throws IOException {
        byte[] one = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).array();
        Pb oneElement = Pb.msg().int64(1, 1).bytes(4, one);
        byte[] badCrc = Pb.record(Pb.tensorEvent(1, 2, "late", oneElement, "histograms"));
        badCrc[badCrc.length - 1] ^= 0x01;
        byte[][] framed = {
            Pb.record(Pb.fileVersion()),
            Pb.record(Pb.tensorEvent(1, 1, "hist", oneElement, "histograms")),
            Pb.record(Pb.tensorEvent(1, 1, "loss", oneElement, "scalars")),
            badCrc,
            Pb.record(Pb.tensorEvent(Double.NaN, 3, "nan", oneElement, "histograms")),
            Pb.record(Pb.tensorEvent(1, -4, "neg", oneElement, "histograms")),
            Pb.record(Pb.tensorEvent(1, 5, "hist", oneElement, null)),
            Pb.record(Pb.tensorEvent(1, 5, "loss", oneElement, null)),
            Pb.record(Pb.tensorEvent(1, 6, "late", oneElement, null)),
            Pb.record(Pb.tensorEvent(1, 6, "nan", oneElement, null)),
            Pb.record(Pb.tensorEvent(1, 6, "neg", oneElement, null)),
            Pb.record(Pb.scalarEvent(1, 7, "hist", 2f)),
        };
        Path p = dir.resolve("events.out.tfevents.9.h");
        Files.write(p, Pb.concat(framed));
        List<String> whole = new java.util.ArrayList<>();
        LogReaders.streamWithSteps(p, LogFormat.TENSORBOARD, f -> 0, r -> whole.add(r.source().start() + ":" + r.metric() + "@" + r.step()));
        // the one-element tensors of "hist" are skipped; "late", "nan" and "neg" declared nothing that counts
        assertEquals(6, whole.size(), whole.toString());
        assertFalse(whole.stream().anyMatch(w -> w.endsWith(":hist@5")), whole.toString());
        assertTrue(whole.stream().anyMatch(w -> w.endsWith(":hist@7")) && whole.stream().anyMatch(w -> w.endsWith(":late@6")), whole.toString());
        long from = 0;
        for (byte[] rec : framed) {
            from += rec.length;
            long at = from;
            List<String> resumed = new java.util.ArrayList<>();
            List<String> asked = new java.util.ArrayList<>();
            LogReaders.streamWithSteps(p, LogFormat.TENSORBOARD, f -> {
                asked.add(f);
                return at;
            }, r -> resumed.add(r.source().start() + ":" + r.metric() + "@" + r.step()));
            assertEquals(List.of(p.toString()), asked);
            assertEquals(whole.stream().filter(w -> Long.parseLong(w.substring(0, w.indexOf(':'))) >= at).toList(), resumed, "from " + at);
        }
    }

    @Test
    void resumedRunDirectory_eachFileFromItsOwnPosition() throws IOException {
        Path run = Files.createDirectories(dir.resolve("run/a"));
        byte[] r1 = Pb.record(Pb.scalarEvent(1, 10, "loss", 1f)), r2 = Pb.record(Pb.scalarEvent(2, 20, "loss", 2f));
        Path f1 = run.resolve("events.out.tfevents.100.h"), f2 = run.resolveSibling("events.out.tfevents.200.h");
        Files.write(f1, Pb.concat(r1, r2));
        Files.write(f2, Pb.concat(r1, r2));
        List<String> got = new java.util.ArrayList<>();
        LogReaders.streamWithSteps(run.getParent(), LogFormat.TENSORBOARD, f -> f.equals(f1.toString()) ? r1.length : 0,
                r -> got.add(r.metric() + "@" + r.step()));
        assertEquals(List.of("a/loss@20", "train/loss@10", "train/loss@20"), got); // file a/...100 from its second record
    }
}
