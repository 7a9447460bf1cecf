package org.trainproof;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Validates documents against the JSON Schemas (draft 2020-12) in {@code schemas/}. */
public final class SchemaValidation {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaValidation() {}

    public static Schema schema(String fileName) {
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(Path.of("schemas", fileName)));
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(node);
        } catch (IOException e) {
            throw new AssertionError("cannot read schemas/" + fileName, e);
        }
    }

    /** Fails with every validation error listed when {@code doc} does not conform. */
    public static void assertValid(String schemaFile, JsonNode doc) {
        List<Error> errors = schema(schemaFile).validate(doc);
        if (!errors.isEmpty()) {
            StringBuilder sb = new StringBuilder(schemaFile + ": " + errors.size() + " error(s)");
            errors.stream().limit(20).forEach(e -> sb.append("\n  ").append(e));
            fail(sb.toString());
        }
    }

    /** Asserts {@code doc} is rejected by the schema (so the schema is not vacuous). */
    public static void assertInvalid(String schemaFile, JsonNode doc) {
        if (schema(schemaFile).validate(doc).isEmpty()) {
            fail(schemaFile + " accepted a document it must reject: " + doc);
        }
    }
}
