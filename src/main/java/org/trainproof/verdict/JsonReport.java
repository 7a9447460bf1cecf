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

    public static JsonNode toJson(Report r) {
        return JSON.valueToTree(r);
    }

    /** The report as indented JSON text, ending in a newline. */
    public static String toText(Report r) {
        try {
            return JSON.writeValueAsString(r) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a report did not serialise", e);
        }
    }

    /** Writes via a temp file and rename, so a reader never sees half a report. */
    public static void write(Report r, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), r);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
