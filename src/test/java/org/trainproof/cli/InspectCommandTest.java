package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.SafetensorsWriter;

class InspectCommandTest {
    static final Path SAFETENSORS = Path.of("..", "shared", "realdata", "formats", "safetensors");

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    static Schema schema() throws IOException {
        String text = Files.readString(Path.of("schemas", "checkpoint-manifest.schema.json"));
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(text, InputFormat.JSON);
    }

    @Test
    void inspectJson_ofEveryRealFileAndAShardedSet_validAgainstSchema() throws IOException {
        assumeTrue(Files.isDirectory(SAFETENSORS), "shared real data absent");
        Schema schema = schema();
        List<Path> inputs = new ArrayList<>();
        try (Stream<Path> s = Files.list(SAFETENSORS)) {
            s.filter(p -> !p.getFileName().toString().startsWith("INVALID")).sorted().forEach(inputs::add);
        }
        Path shards = Files.createDirectory(dir.resolve("sharded"));
        new SafetensorsWriter().metadata("format", "pt").tensor("a", Dtype.BF16, new long[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6})
                .write(shards.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().tensor("b", Dtype.F32, new long[] {3}, new double[] {Double.NaN, 1, 2})
                .write(shards.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(shards.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00002-of-00002.safetensors\"}}");
        inputs.add(shards);
        List<String> failures = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        for (Path p : inputs) {
            Result r = run("inspect", "--json", "-", "--file-sha256", p.toString());
            assertEquals(ExitCode.OK, r.code, r.err);
            JsonNode node = om.readTree(r.out);
            List<Error> errors = schema.validate(node);
            if (!errors.isEmpty()) failures.add(p + ": " + errors);
            // the JSON reads back into the same manifest record
            CheckpointManifest back = om.readValue(r.out, CheckpointManifest.class);
            assertEquals(node.get("tensors").size(), back.tensors().size());
        }
        assertTrue(inputs.size() >= 5);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void schema_rejectsAManifestWithABadDigest() throws IOException {
        assumeTrue(Files.isDirectory(SAFETENSORS), "shared real data absent");
        Result r = run("inspect", "--json", "-", SAFETENSORS.resolve("burn_multi_layer.safetensors").toString());
        String broken = r.out.replaceFirst("\"root\" : \"[0-9a-f]{64}\"", "\"root\" : \"XYZ\"");
        assertFalse(broken.equals(r.out));
        assertFalse(schema().validate(broken, InputFormat.JSON).isEmpty());
    }

    @Test
    void inspectTable_listsTensorsAndRoot() {
        assumeTrue(Files.isDirectory(SAFETENSORS), "shared real data absent");
        Result r = run("inspect", SAFETENSORS.resolve("burn_multi_layer.safetensors").toString());
        assertEquals(ExitCode.OK, r.code, r.err);
        assertTrue(r.out.contains("conv1.weight"));
        assertTrue(r.out.contains("[4,3,3,3]"));
        assertTrue(r.out.contains("9 tensors in 1 file(s); checkpoint root "));
    }

    @Test
    void inspect_badInputs_exit3WithOneLineNamingTheFile() throws IOException {
        Path invalid = SAFETENSORS.resolve("INVALID_syoyo_safetensors_abuse_attempt_1.safetensors");
        List<Path> bad = new ArrayList<>();
        if (Files.exists(invalid)) bad.add(invalid);
        Path empty = Files.createFile(dir.resolve("empty.safetensors"));
        bad.add(empty);
        Path lfs = dir.resolve("lfs.safetensors");
        Files.writeString(lfs, "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 10\n");
        bad.add(lfs);
        bad.add(dir.resolve("missing.safetensors"));
        for (Path p : bad) {
            Result r = run("inspect", p.toString());
            assertEquals(ExitCode.BAD_INPUT, r.code, p + ": " + r.err);
            assertEquals(1, r.err.strip().lines().count(), r.err);
            assertTrue(r.err.contains(p.getFileName().toString()), r.err);
            assertFalse(r.err.contains("Exception"), r.err);
        }
        Result lfsOut = run("inspect", lfs.toString());
        assertTrue(lfsOut.err.contains("content absent"), lfsOut.err);
    }

    @Test
    void inspect_badOptions_exit2() {
        assertEquals(ExitCode.USAGE, run("inspect", "--sketch-width", "100", "x.safetensors").code);
        assertEquals(ExitCode.USAGE, run("inspect").code);
    }
}
