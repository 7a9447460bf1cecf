package org.trainproof.cli;

import java.io.PrintWriter;

/**
 * Old spellings where an output option was a bare switch ({@code log --json}, {@code metrics --csv}):
 * picocli gives the option {@link #MARK} when no value follows; it means standard output, with a
 * deprecation line (docs/cli.md: kept for one release).
 */
final class DeprecatedBare {
    /** Cannot be a file name a user typed: it holds a NUL. */
    static final String MARK = "\u0000bare";

    private DeprecatedBare() {}

    static String resolve(String value, String option, PrintWriter err) {
        if (!MARK.equals(value)) return value;
        Output.deprecated(err, "bare " + option, option + " - (standard output) or " + option + " FILE");
        return Output.STDOUT;
    }
}
