package org.trainproof;

/**
 * Process exit codes. Part of the public interface: fixed for every command, documented in
 * {@code --help} and README. Never reuse a number for another meaning.
 */
public final class ExitCode {
    /** Verified / ok / consistent with the claimed training. */
    public static final int OK = 0;
    /** Integrity failure: tampered or mismatched ledger, proof or file. */
    public static final int INTEGRITY = 1;
    /** Usage error: bad options or arguments. */
    public static final int USAGE = 2;
    /** Bad input: unreadable, malformed or over limits. */
    public static final int BAD_INPUT = 3;
    /** Internal error: a bug in trainproof. */
    public static final int INTERNAL = 4;
    /** Inconclusive: the data cannot answer the question. */
    public static final int INCONCLUSIVE = 5;
    /** Inconsistent with the claimed training: statistical or physical checks failed. */
    public static final int INCONSISTENT = 6;

    private ExitCode() {}

    /** The help text block listing every code, used by the CLI and mirrored in README. */
    public static final String HELP =
            "Exit codes:%n"
            + "  0  verified / ok / consistent with the claimed training%n"
            + "  1  integrity failure (tampered or mismatched ledger, proof or file)%n"
            + "  2  usage error%n"
            + "  3  bad input (unreadable, malformed, over limits, ledger busy)%n"
            + "  4  internal error%n"
            + "  5  inconclusive (the data cannot say)%n"
            + "  6  inconsistent with the claimed training (statistical or physical checks failed)";
}
