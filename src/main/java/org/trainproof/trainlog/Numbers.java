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

    /** A step as a non-negative long, or null. Accepts integral floats such as "100.0". */
    static Long step(String s) {
        String t = s.trim();
        try {
            long v = Long.parseLong(t);
            return v >= 0 ? v : null;
        } catch (NumberFormatException e) {
            Double d = parse(t);
            if (d != null && d >= 0 && d == Math.rint(d) && d < 9.0e18) return d.longValue();
            return null;
        }
    }
}
