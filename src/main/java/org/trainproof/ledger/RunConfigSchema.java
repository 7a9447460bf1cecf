package org.trainproof.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * schemas/run-config.schema.json (bundled in the jar) applied to the run-config {@code init} records
 * (issue 18). Each problem names its JSON pointer: a wrong type, a value outside an enumeration, a
 * missing required field, and a key that is not in the schema but within two edits of one that is
 * ("/optimizer/beta: unknown key; did you mean betas?"). Other unknown keys are allowed (the schema
 * says more fields may be recorded) and returned as notes.
 */
public final class RunConfigSchema {
    private static final String RESOURCE = "/schemas/run-config.schema.json";
    private static volatile JsonNode schemaJson;
    private static volatile Schema schema;

    /** Problems (each makes the config invalid) and notes (unknown keys kept as recorded). */
    public record Result(List<String> problems, List<String> notes) {}

    private RunConfigSchema() {}

    private static synchronized void load() {
        if (schema != null) return;
        try (InputStream in = RunConfigSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is not on the classpath");
            JsonNode node = new ObjectMapper().readTree(in);
            schemaJson = node;
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    public static Result check(JsonNode config) {
        load();
        List<String> problems = new ArrayList<>(), notes = new ArrayList<>();
        unknownKeys(config, schemaJson, "", problems, notes);
        for (Error e : schema.validate(config)) problems.add(describe(e));
        return new Result(List.copyOf(problems), List.copyOf(notes));
    }

    /** Keys of {@code node} absent from {@code schemaNode}'s properties: near misses are problems, others notes. */
    private static void unknownKeys(JsonNode node, JsonNode schemaNode, String at, List<String> problems, List<String> notes) {
        if (node == null || schemaNode == null) return;
        if (node.isArray() && schemaNode.has("items")) {
            for (int i = 0; i < node.size(); i++) unknownKeys(node.get(i), schemaNode.get("items"), at + "/" + i, problems, notes);
            return;
        }
        JsonNode props = schemaNode.get("properties");
        if (!node.isObject() || props == null) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            String ptr = at + "/" + pointerEscape(f.getKey());
            if (props.has(f.getKey())) {
                unknownKeys(f.getValue(), props.get(f.getKey()), ptr, problems, notes);
                continue;
            }
            String best = null;
            int bestD = Integer.MAX_VALUE;
            for (Iterator<String> k = props.fieldNames(); k.hasNext();) {
                String known = k.next();
                int d = distance(normal(f.getKey()), normal(known));
                if (d < bestD) {
                    bestD = d;
                    best = known;
                }
            }
            if (best != null && bestD <= 2 && bestD < best.length() / 2 + 1) {
                problems.add(ptr + ": unknown key; did you mean " + at + "/" + best + "?");
            } else {
                notes.add(ptr + ": not a key of schemas/run-config.schema.json (no check reads it); recorded as given");
            }
        }
    }

    private static String normal(String k) {
        return k.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String describe(Error e) {
        StringBuilder ptr = new StringBuilder();
        var loc = e.getInstanceLocation();
        for (int i = 0; i < loc.getNameCount(); i++) ptr.append('/').append(pointerEscape(String.valueOf(loc.getElement(i))));
        String at = ptr.length() == 0 ? "/" : ptr.toString();
        JsonNode value = e.getInstanceNode();
        JsonNode s = e.getSchemaNode();
        return switch (e.getKeyword()) {
            case "enum" -> at + ": " + value + " is not one of " + join(s);
            case "required" -> at + ": missing required field \"" + e.getProperty() + "\"";
            case "type" -> at + ": expected " + (s.isArray() ? join(s) : s.asText()) + ", found " + kind(value);
            case "minimum" -> at + ": " + value + " is below the minimum " + s.asText();
            case "exclusiveMaximum" -> at + ": " + value + " must be below " + s.asText();
            case "minItems", "maxItems" -> at + ": expected " + e.getSchemaNode().asText() + (e.getKeyword().equals("minItems") ? " or more" : " or fewer")
                    + " items, found " + (value == null ? 0 : value.size());
            default -> {
                String m = e.getMessage();
                yield at + ": " + (m == null ? e.getKeyword() : m.replaceFirst("^\\$[^:]*: ", ""));
            }
        };
    }

    private static String join(JsonNode arr) {
        List<String> l = new ArrayList<>();
        if (arr != null) arr.forEach(v -> l.add(v.isTextual() ? v.asText() : v.toString()));
        return String.join(", ", l);
    }

    private static String kind(JsonNode v) {
        if (v == null || v.isNull()) return "null";
        if (v.isTextual()) return "string " + v;
        if (v.isIntegralNumber()) return "integer " + v;
        if (v.isNumber()) return "number " + v;
        if (v.isBoolean()) return "boolean " + v;
        return v.isArray() ? "an array" : "an object";
    }

    private static String pointerEscape(String s) {
        return s.replace("~", "~0").replace("/", "~1");
    }
}
