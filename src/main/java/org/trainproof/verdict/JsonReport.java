package org.trainproof.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a {@link Report} as JSON valid against {@code schemas/report.schema.json}. */
public final class JsonReport {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {}

    /** Numeric fields of checks and findings that can hold a non-finite double. */
    private static final String[] NUMERIC = {"statistic", "threshold", "p_value", "effect_size"};

    /**
     * The report as a JSON tree. JSON has no NaN or Infinity: a non-finite statistic is written as
     * {@code null} and its value named in the object's {@code non_finite} map ("NaN", "+Infinity",
     * "-Infinity"), so a reader never finds a string in a numeric field.
     */
    public static JsonNode toJson(Report r) {
        JsonNode root = JSON.valueToTree(r);
        ((com.fasterxml.jackson.databind.node.ObjectNode) root).put("headline", Headline.of(r));
        for (JsonNode check : root.path("checks")) {
            nullNonFinite((com.fasterxml.jackson.databind.node.ObjectNode) check);
            for (JsonNode f : check.path("findings")) nullNonFinite((com.fasterxml.jackson.databind.node.ObjectNode) f);
        }
        return NonFiniteJson.nullify(root); // any other number (integrity, trusted time) the same way
    }

    private static void nullNonFinite(com.fasterxml.jackson.databind.node.ObjectNode o) {
        for (String field : NUMERIC) {
            JsonNode v = o.get(field);
            if (v == null || !v.isNumber() || Double.isFinite(v.doubleValue())) continue;
            double d = v.doubleValue();
            o.putNull(field);
            o.with("non_finite").put(field, NonFiniteJson.label(d));
        }
    }

    /** The report as indented JSON text, ending in a newline. */
    public static String toText(Report r) {
        try {
            return JSON.writeValueAsString(toJson(r)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a report did not serialise", e);
        }
    }

    /** Writes via a temp file and rename, so a reader never sees half a report. */
    public static void write(Report r, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), toJson(r));
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
