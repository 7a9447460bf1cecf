package org.trainproof.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON has no NaN or Infinity. Every JSON document the tool writes for a reader (reports, metrics
 * summaries) passes through here: a non-finite number becomes {@code null}, and the object holding it
 * names the value in its {@code non_finite} map ({@code "NaN"}, {@code "+Infinity"}, {@code "-Infinity"})
 * under the field's name, so a numeric field never holds a string and the reason is not lost.
 */
public final class NonFiniteJson {
    private NonFiniteJson() {}

    /** Rewrites {@code node} in place and returns it. A non-finite array element becomes null (its array has no field name). */
    public static JsonNode nullify(JsonNode node) {
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = o.get(name);
                if (nonFinite(v)) {
                    o.putNull(name);
                    o.with("non_finite").put(name, label(v.doubleValue()));
                } else {
                    nullify(v);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (nonFinite(a.get(i))) a.set(i, NullNode.getInstance());
                else nullify(a.get(i));
            }
        }
        return node;
    }

    private static boolean nonFinite(JsonNode v) {
        return v != null && v.isNumber() && (v.isDouble() || v.isFloat()) && !Double.isFinite(v.doubleValue());
    }

    static String label(double d) {
        return Double.isNaN(d) ? "NaN" : d > 0 ? "+Infinity" : "-Infinity";
    }
}
