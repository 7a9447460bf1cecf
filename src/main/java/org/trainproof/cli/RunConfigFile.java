package org.trainproof.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.CanonicalJson;
import org.trainproof.ledger.RunConfigSchema;

/**
 * The one reader of a {@code --run-config} file, for {@code init} and {@code analyze} alike (issue 20
 * item 10): strict JSON (duplicate keys, NaN/Infinity, comments and trailing data refused), every number
 * finite ({@code 1e400} overflows a double), then schemas/run-config.schema.json. Any problem is bad
 * input (exit 3) with the same message from both commands; unknown keys that are not near misses are
 * noted on stderr and kept.
 */
public final class RunConfigFile {
    /** A run-config is a few KB; 16 MiB is far beyond any. */
    public static final long MAX_BYTES = 16L * 1024 * 1024;

    private RunConfigFile() {}

    /** Reads and validates {@code f}; notes go to {@code err} (may be null) prefixed by "trainproof COMMAND: note:". */
    public static ObjectNode read(Path f, String command, PrintWriter err) {
        ObjectNode config;
        try {
            if (Files.isDirectory(f)) throw TrainproofException.badInput(f, "a directory, not a run config file");
            if (Files.size(f) > MAX_BYTES) throw TrainproofException.badInput(f, "run config larger than 16 MiB");
            JsonNode n = CanonicalJson.parse(Files.readAllBytes(f));
            if (!(n instanceof ObjectNode o)) throw TrainproofException.badInput(f, "the run config is not a JSON object (found " + kind(n) + ")");
            config = o;
        } catch (JsonProcessingException e) {
            throw TrainproofException.badInput(f, parseError(e));
        } catch (java.nio.file.NoSuchFileException e) {
            throw TrainproofException.badInput(f, "no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw TrainproofException.badInput(f, "permission denied");
        } catch (IOException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw TrainproofException.badInput(f, "not a JSON object: " + m);
        }
        String infinite = nonFinite(config, "");
        if (infinite != null) {
            throw TrainproofException.badInput(f, infinite + ": a number beyond the range of a double (about 1.8e308); write a finite number");
        }
        String huge = hugeInteger(config, "");
        if (huge != null) {
            // found by FuzzHarness: init refused these (the ledger stores RFC 8785 JSON) while analyze took them
            throw TrainproofException.badInput(f, huge + ": an integer beyond 2^53 (9007199254740992) cannot be stored exactly in JSON"
                    + " (RFC 8785); no run has such a count");
        }
        RunConfigSchema.Result r = RunConfigSchema.check(config);
        if (!r.problems().isEmpty()) {
            throw TrainproofException.badInput(f, "the run config does not match schemas/run-config.schema.json ("
                    + r.problems().size() + " problem" + (r.problems().size() == 1 ? "" : "s") + "):\n  "
                    + String.join("\n  ", r.problems()));
        }
        if (err != null) for (String n : r.notes()) err.println("trainproof " + command + ": note: " + f + " " + n);
        return config;
    }

    /** The JSON pointer of the first number that parsed to an infinite double, or null. */
    static String nonFinite(JsonNode n, String at) {
        if (n.isNumber() && n.isFloatingPointNumber() && !Double.isFinite(n.doubleValue())) return at.isEmpty() ? "/" : at;
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String r = nonFinite(e.getValue(), at + "/" + e.getKey().replace("~", "~0").replace("/", "~1"));
                if (r != null) return r;
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                String r = nonFinite(n.get(i), at + "/" + i);
                if (r != null) return r;
            }
        }
        return null;
    }

    /** The JSON pointer of the first integer beyond ±2^53, or null. */
    static String hugeInteger(JsonNode n, String at) {
        if (n.isIntegralNumber()) {
            java.math.BigInteger v = n.bigIntegerValue();
            return v.abs().compareTo(java.math.BigInteger.ONE.shiftLeft(53)) > 0 ? (at.isEmpty() ? "/" : at) : null;
        }
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String r = hugeInteger(e.getValue(), at + "/" + e.getKey().replace("~", "~0").replace("/", "~1"));
                if (r != null) return r;
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                String r = hugeInteger(n.get(i), at + "/" + i);
                if (r != null) return r;
            }
        }
        return null;
    }

    private static String kind(JsonNode v) {
        if (v == null || v.isNull()) return "null";
        if (v.isArray()) return "an array";
        if (v.isTextual()) return "a string";
        if (v.isNumber()) return "a number";
        if (v.isBoolean()) return "a boolean";
        return v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    /** A JSON syntax error as line, column and what is wrong, without the parser's option names. */
    static String parseError(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        var loc = e.getLocation();
        String where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
        java.util.regex.Matcher nf = java.util.regex.Pattern.compile("Non-standard token '([^']*)'").matcher(m);
        if (nf.find()) {
            return where + nf.group(1) + " is not a JSON number: JSON has no NaN or Infinity; write a finite number or leave the field out";
        }
        if (m.contains("comment")) return where + "a comment: JSON has no comments; remove it";
        java.util.regex.Matcher dup = java.util.regex.Pattern.compile("Duplicate field '([^']*)'").matcher(m);
        if (dup.find()) return where + "the key \"" + dup.group(1) + "\" appears twice in one object; a run config states each claim once";
        if (m.startsWith("Trailing token")) return where + "not valid JSON: more data after the run config's object; a run config is one JSON object";
        int cut = m.indexOf(": enable ");
        if (cut < 0) cut = m.indexOf(" (for ");
        if (cut > 0) m = m.substring(0, cut);
        m = m.replaceAll("\\s*\\(bound as `[^`]*`\\)", "");
        return where + "not valid JSON: " + org.trainproof.LibraryMessages.clean(m.lines().findFirst().orElse(""));
    }
}
