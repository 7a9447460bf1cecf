package org.trainproof.verdict;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What makes a report stand alone (issue 18): which tool wrote it, when, from which command line, and
 * what the run claimed about itself (the run-config the ledger's genesis entry states, or the
 * {@code --run-config} file given to analyze). {@code claims} is null when there is none, and
 * {@code claims_source} then says so.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Provenance(String tool, String toolVersion, String build, String created, List<String> commandLine,
        JsonNode claims, String claimsSource) {

    public Provenance {
        commandLine = commandLine == null ? List.of() : List.copyOf(commandLine);
    }

    /** This tool, now (UTC, second precision), the given argv, no claims yet. */
    public static Provenance now(List<String> argv) {
        return new Provenance("trainproof", version(), buildTime(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                argv, null, "none: the run states no run-config");
    }

    public Provenance withClaims(JsonNode run, String source) {
        if (run == null || run.isNull() || run.isMissingNode()) return this;
        return new Provenance(tool, toolVersion, build, created, commandLine, run, source);
    }

    public Provenance withCommandLine(List<String> argv) {
        return new Provenance(tool, toolVersion, build, created, argv, claims, claimsSource);
    }

    /** Implementation-Version of the jar manifest; "dev" when run from classes (no manifest). */
    public static String version() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }

    /** Build-Time of the jar manifest; null when run from classes. */
    static String buildTime() {
        try (var in = Provenance.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in == null) return null;
            // the classpath's first manifest may be another jar's: only trust one naming this tool
            var m = new java.util.jar.Manifest(in).getMainAttributes();
            if (!"trainproof".equals(m.getValue("Implementation-Title"))) return null;
            return m.getValue("Build-Time");
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
