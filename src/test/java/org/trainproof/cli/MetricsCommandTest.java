package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

class MetricsCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Cli.run(new PrintWriter(o), new PrintWriter(e), args);
        return new Run(code, o.toString(), e.toString());
    }

    static Schema schema() throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("schemas", "metrics-summary.schema.json"))) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
    }

    Path messyLog() throws IOException {
        Path p = dir.resolve("train.jsonl");
        Files.writeString(p, "{\"step\": 2, \"loss\": 3.5, \"lr\": 0.001, \"_timestamp\": 1700000000.25}\n"
                + "{\"step\": 3, \"loss\": NaN, \"weird,name\": 1}\n{\"step\": 1, \"loss\": 2.0}\n{\"step\": 4, \"lo", StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void json_validatesAgainstSchemaAndCarriesSummary() throws IOException {
        Run r = run("metrics", "--json", "-", messyLog().toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        List<Error> errors = schema().validate(doc);
        assertTrue(errors.isEmpty(), errors.toString());
        JsonNode f = doc.get("files").get(0);
        assertEquals("jsonl", f.get("format").asText());
        assertEquals(5, f.get("records").asInt());
        assertEquals(2, f.get("first_step").asInt());
        assertEquals(3.5, f.get("first_loss").get("value").asDouble());
        assertEquals("train/loss", f.get("metrics").get(0).get("name").asText());
        assertEquals(3, f.get("metrics").get(0).get("count").asInt());
        assertEquals(1, f.get("metrics").get(0).get("non_finite").asInt());
        List<String> codes = new ArrayList<>();
        f.get("findings").forEach(x -> codes.add(x.get("code").asText()));
        assertTrue(codes.containsAll(List.of("LOG_NON_FINITE_VALUE", "LOG_STEP_BACKWARDS", "LOG_FIRST_STEP_NOT_ZERO",
                "LOG_TRUNCATED_LAST_RECORD")), codes.toString());
    }

    @Test
    void json_schemaRejectsAWrongDocument() throws IOException {
        // The schema is not vacuous: a missing field and a bad code are errors.
        JsonNode bad = new ObjectMapper().readTree("{\"files\":[{\"path\":\"x\",\"format\":\"jsonl\",\"records\":1,"
                + "\"first_step\":0,\"last_step\":0,\"first_loss\":null,\"metrics\":[],\"findings\":[{\"code\":\"bad\","
                + "\"severity\":\"INFO\",\"message\":\"m\",\"location\":{}}]}]}");
        assertEquals(2, schema().validate(bad).size(), schema().validate(bad).toString());
    }

    @Test
    void json_realFilesValidate() throws IOException {
        Path logs = Path.of("..", "shared", "realdata", "logs");
        Assumptions.assumeTrue(Files.isDirectory(logs), "../shared absent");
        List<String> args = new ArrayList<>(List.of("metrics", "--json", "-"));
        try (var s = Files.list(logs)) {
            s.filter(Files::isDirectory).sorted().forEach(d -> {
                try (var t = Files.list(d)) {
                    args.add(t.sorted().findFirst().orElseThrow().toString());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        Run r = run(args.toArray(new String[0]));
        assertEquals(ExitCode.OK, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(args.size() - 3, doc.get("files").size());
        List<Error> errors = schema().validate(doc);
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void csv_headerAndOneRowPerRecordInFileOrder() throws IOException {
        Run r = run("metrics", "--csv", "-", messyLog().toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("step,metric,value,wall_time", "2,train/loss,3.5,1.70000000025E9", "2,train/lr,0.001,1.70000000025E9",
                "3,train/loss,NaN,", "3,\"weird,name\",1.0,", "1,train/loss,2.0,"), lines);
        assertTrue(r.err().contains("LOG_TRUNCATED_LAST_RECORD"), r.err());
    }

    @Test
    void text_summaryNamesFirstLossAndFindings() throws IOException {
        Run r = run("metrics", messyLog().toString());
        assertEquals(ExitCode.OK, r.code(), r.err());
        assertTrue(r.out().contains("first loss: train/loss = 3.5 at step 2"), r.out());
        assertTrue(r.out().contains("LOG_STEP_BACKWARDS"), r.out());
    }

    @Test
    void errors_haveDistinctExitCodesAndOneLine() throws IOException {
        Run missing = run("metrics", dir.resolve("nope.log").toString());
        assertEquals(ExitCode.BAD_INPUT, missing.code());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains("nope.log"));
        assertEquals(ExitCode.USAGE, run("metrics", "--json", "--csv", messyLog().toString()).code());
        assertEquals(ExitCode.USAGE, run("metrics", "--log-format", "nonsense", messyLog().toString()).code());
        assertEquals(ExitCode.USAGE, run("metrics").code());
        Run help = run("metrics", "--help");
        assertEquals(ExitCode.OK, help.code());
        assertTrue(help.out().contains("--log-format"), help.out());
        Run forced = run("metrics", "--log-format", "key-value-text", "--json", "-", messyLog().toString());
        assertEquals(ExitCode.OK, forced.code(), forced.err());
        assertTrue(forced.out().contains("\"key-value-text\""));
    }
}
