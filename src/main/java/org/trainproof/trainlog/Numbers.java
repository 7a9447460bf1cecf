package org.trainproof.trainlog;

import java.util.Locale;

/** Parsing numbers as Python and C print them: {@code nan}, {@code -nan}, {@code inf}, {@code 6.159759E+00}. */
final class Numbers {
    private Numbers() {}

    /** The value of {@code s}, or null when it is not a number. */
    static Double parse(String s) {
        String t = s.trim();
        if (t.isEmpty()) return null;
        char c = t.charAt(0);
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
            String low = t.toLowerCase(Locale.ROOT);
            switch (low) {
                case "-nan", "+nan": return Double.NaN;
                case "-inf", "-infinity": return Double.NEGATIVE_INFINITY;
                case "+inf", "+infinity": return Double.POSITIVE_INFINITY;
                default: break;
            }
            if (!isNumberSyntax(t)) return null;
            try {
                return Double.parseDouble(t);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        switch (t.toLowerCase(Locale.ROOT)) {
            case "nan": return Double.NaN;
            case "inf", "infinity": return Double.POSITIVE_INFINITY;
            default: return null;
        }
    }

    /** Decimal syntax only (Java would also accept "1f", "0x1p3", "Infinity" and trailing "d"). */
    private static boolean isNumberSyntax(String t) {
        int i = 0, n = t.length();
        if (t.charAt(0) == '-' || t.charAt(0) == '+') i++;
        int digits = 0;
        while (i < n && Character.isDigit(t.charAt(i))) { i++; digits++; }
        if (i < n && t.charAt(i) == '.') {
            i++;
            while (i < n && Character.isDigit(t.charAt(i))) { i++; digits++; }
        }
        if (digits == 0) return false;
        if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
            i++;
            if (i < n && (t.charAt(i) == '-' || t.charAt(i) == '+')) i++;
            int ed = 0;
            while (i < n && Character.isDigit(t.charAt(i))) { i++; ed++; }
            if (ed == 0) return false;
        }
        return i == n;
    }

    /** The largest step {@link #step} accepts (a double-valued step above it is not an exact whole number). */
    static final double MAX_STEP = 9.0e18;

    /**
     * Why {@code s}, given as a record's step, is not one {@link #step} accepts (issue 20 item 11: a negative
     * or huge step was reported as "no step column"); null when it is one.
     */
    static String stepProblem(String s) {
        if (step(s) != null) return null;
        String t = s.trim();
        Double d = parse(t);
        if (d == null) return "not a number";
        if (d.isNaN()) return "not a number";
        if (d < 0) return "negative";
        if (d >= MAX_STEP) return "larger than the largest step, 9.0e18";
        return "not a whole number";
    }

    /** "step VALUE is not a training step (WHY)", the value clipped to 40 characters. */
    static String badStep(String s) {
        String t = s.trim();
        String shown = t.length() <= 40 ? t : t.substring(0, 39) + "…";
        return "step value \"" + shown + "\" is not a training step (" + stepProblem(s) + "; a step is a whole number from 0)";
    }

    /** A step as a non-negative long, or null. Accepts integral floats such as "100.0". */
    static Long step(String s) {
        String t = s.trim();
        try {
            long v = Long.parseLong(t);
            return v >= 0 ? v : null;
        } catch (NumberFormatException e) {
            Double d = parse(t);
            if (d != null && d >= 0 && d == Math.rint(d) && d < MAX_STEP) return d.longValue();
            return null;
        }
    }
}
