package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.SchemaValidation;
import org.trainproof.analysis.lineage.InMemoryTensorSource;
import org.trainproof.analysis.lineage.LineageTestModels;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.SafetensorsWriter;

/** {@code trainproof compare} end to end on safetensors files written by SafetensorsWriter. */
class CompareCommandTest {
    @TempDir
    static Path dir;
    static Path a, b, c;

    static void write(InMemoryTensorSource m, Dtype dt, Path p) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        for (String n : m.names()) w.tensor(n, dt, m.shape(n), m.values(n));
        w.write(p);
    }

    @BeforeAll
    static void models() throws IOException {
        InMemoryTensorSource ma = LineageTestModels.scratch("A", 1);
        a = dir.resolve("a.safetensors");
        b = dir.resolve("b.safetensors");
        c = dir.resolve("c.safetensors");
        write(ma, Dtype.BF16, a);
        write(LineageTestModels.scratch("B", 2), Dtype.BF16, b);
        write(LineageTestModels.disguised(ma, "C", 3), Dtype.F32, c);
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Cli.run(new PrintWriter(o), new PrintWriter(e), args);
        return new Run(code, o.toString(), e.toString());
    }

    @Test
    void twins_exit0_rawCosineLabelledNotEvidence_jsonValid() throws IOException {
        Path json = dir.resolve("twins.json");
        Run r = run("compare", a.toString(), b.toString(), "--permutations", "999", "--json", json.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("NOT evidence"), r.out());
        assertTrue(r.out().contains("NO EVIDENCE OF DEPENDENCE"), r.out());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        SchemaValidation.assertValid("report.schema.json", doc);
        assertEquals("compare", doc.get("command").asText());
        assertEquals(0, doc.get("exit_code").asInt());
    }

    @Test
    void disguisedDerivative_exit6_jsonValid() throws IOException {
        Path json = dir.resolve("derived.json");
        Run r = run("compare", a.toString(), c.toString(), "--json", json.toString(), "--seed", "7");
        assertEquals(6, r.code(), r.err() + r.out());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        SchemaValidation.assertValid("report.schema.json", doc);
        assertEquals("INCONSISTENT", doc.get("outcome").asText());
        boolean matchFailed = false;
        for (JsonNode ch : doc.get("checks")) if (ch.get("id").asText().equals("X1_MATCH")) matchFailed = ch.get("status").asText().equals("FAIL");
        assertTrue(matchFailed);
    }

    @Test
    void shardedDirectory_sameVerdictAsSingleFile() throws IOException {
        InMemoryTensorSource mc = LineageTestModels.disguised(LineageTestModels.scratch("A", 1), "C", 3);
        Path shards = dir.resolve("sharded");
        Files.createDirectories(shards);
        SafetensorsWriter w1 = new SafetensorsWriter(), w2 = new SafetensorsWriter();
        StringBuilder map = new StringBuilder();
        int i = 0;
        for (String n : mc.names()) {
            boolean first = i++ % 2 == 0;
            (first ? w1 : w2).tensor(n, Dtype.F32, mc.shape(n), mc.values(n));
            map.append(map.length() == 0 ? "" : ",").append('"').append(n).append("\":\"")
                    .append(first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
        }
        w1.write(shards.resolve("model-00001-of-00002.safetensors"));
        w2.write(shards.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(shards.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{" + map + "}}");
        Run r = run("compare", a.toString(), shards.toString(), "--permutations", "999");
        assertEquals(6, r.code(), r.err() + r.out());
    }

    @Test
    void ledgerInput_missingLedger_isBadInput() {
        Run r = run("compare", "no-such-ledger.db@400", b.toString());
        assertEquals(3, r.code());
        assertTrue(r.err().contains("no such ledger"), r.err());
    }

    @Test
    void corruptFile_exit3_oneLineNoStackTrace() throws IOException {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {(byte) 0xe8, 3, 0, 0, 0, 0, 0, 0, '{', '}'});
        Run r = run("compare", a.toString(), bad.toString());
        assertEquals(3, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertTrue(r.err().contains("bad.safetensors"), r.err());
    }

    @Test
    void missingFile_exit3() {
        Run r = run("compare", a.toString(), dir.resolve("nope.safetensors").toString());
        assertEquals(3, r.code(), r.err());
    }

    @Test
    void badMap_isUsageError() {
        assertEquals(2, run("compare", a.toString(), b.toString(), "--map", "noequals").code());
        assertEquals(2, run("compare", a.toString(), b.toString(), "--map", "nosuch=tensor").code());
    }
}
