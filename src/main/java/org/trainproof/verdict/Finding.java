package org.trainproof.verdict;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One observation of a check, with a stable machine code (e.g. {@code ENTRY_HASH_MISMATCH},
 * {@code L1_STEP0_LOSS_BELOW_LN_V}). Tests assert on codes, never on message text.
 *
 * <p>{@code statistic}, {@code threshold} and {@code n} say what number failed against what bound on
 * how much data; {@code expected}/{@code actual} carry exact mismatches (digests, roots).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Finding(
        String code,
        Severity severity,
        String message,
        Location location,
        Double statistic,
        Double threshold,
        Long n,
        Double pValue,
        String expected,
        String actual) {

    private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]*");

    public Finding {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        if (!CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("finding code must be UPPER_SNAKE_CASE: " + code);
        }
        if (location == null) location = Location.NONE;
    }

    public static Finding of(String code, Severity severity, String message) {
        return new Finding(code, severity, message, Location.NONE, null, null, null, null, null, null);
    }

    public Finding at(Location where) {
        return new Finding(code, severity, message, where, statistic, threshold, n, pValue, expected, actual);
    }

    public Finding withStatistic(double stat, Double thr, Long count) {
        return new Finding(code, severity, message, location, stat, thr, count, pValue, expected, actual);
    }

    public Finding withPValue(double p) {
        return new Finding(code, severity, message, location, statistic, threshold, n, p, expected, actual);
    }

    public Finding withMismatch(Object exp, Object act) {
        return new Finding(code, severity, message, location, statistic, threshold, n, pValue,
                exp == null ? null : exp.toString(), act == null ? null : act.toString());
    }

    @Override
    public String toString() {
        return severity + " " + code + " at " + location + ": " + message;
    }
}
