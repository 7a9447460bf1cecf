package org.trainproof.trainlog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.trainproof.verdict.Finding;
import org.trainproof.verdict.Location;
import org.trainproof.verdict.Severity;

/**
 * Collects reader findings, aggregated by (code, subject): the first occurrence keeps its location
 * and message, later ones only raise the count. A million NaN values give one finding with n =
 * 1,000,000, so output stays bounded.
 */
final class FindingSink {
    private static final class Agg {
        final String code;
        final Severity severity;
        final String message;
        final Location where;
        long n;

        Agg(String code, Severity severity, String message, Location where) {
            this.code = code;
            this.severity = severity;
            this.message = message;
            this.where = where;
        }
    }

    private final Map<String, Agg> byKey = new LinkedHashMap<>();

    /** Adds one occurrence of {@code code} for {@code subject} (a metric or key name; may be ""). */
    void add(String code, Severity severity, String subject, Location where, String message) {
        String key = code + "\u0000" + subject;
        Agg a = byKey.get(key);
        if (a == null) {
            a = new Agg(code, severity, message, where);
            byKey.put(key, a);
        }
        a.n++;
    }

    boolean has(String code) {
        for (Agg a : byKey.values()) {
            if (a.code.equals(code)) return true;
        }
        return false;
    }

    List<Finding> findings() {
        List<Finding> out = new ArrayList<>(byKey.size());
        for (Agg a : byKey.values()) {
            String msg = a.n > 1 ? a.message + " (" + a.n + " times; first shown)" : a.message;
            out.add(new Finding(a.code, a.severity, msg, a.where, null, null, a.n, null, null, null));
        }
        return out;
    }
}
