package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * schemas/proof-bundle.schema.json (bundled in the jar) applied to an untrusted bundle: required
 * fields, no additional properties, types and patterns, by a maintained JSON Schema validator.
 */
final class ProofBundleSchema {
    private static final String RESOURCE = "/schemas/proof-bundle.schema.json";
    private static volatile Schema schema;

    private ProofBundleSchema() {}

    private static Schema schema() {
        Schema s = schema;
        if (s == null) {
            try (InputStream in = ProofBundleSchema.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException(RESOURCE + " is not on the classpath");
                JsonNode node = new ObjectMapper().readTree(in);
                s = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(node);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + RESOURCE, e);
            }
            schema = s;
        }
        return s;
    }

    /** The validation errors, as "location: message" lines; empty when the bundle conforms. */
    static List<String> errors(JsonNode bundle) {
        List<Error> errors = schema().validate(bundle);
        return errors.stream().map(Error::toString).toList();
    }
}
