package org.trainproof;

/**
 * An error the user can act on: carries the exit code and one line saying what went wrong and where
 * (file, line, tensor, step). The CLI prints {@link #getMessage()} alone; stack traces only with
 * {@code --debug}. Anything that is not a TrainproofException is an internal error (exit 4).
 */
public class TrainproofException extends RuntimeException {
    private final int exitCode;

    public TrainproofException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public TrainproofException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** Bad input (exit 3): {@code where} names the file (and tensor, line, step), {@code what} the rule broken. */
    public static TrainproofException badInput(Object where, String what) {
        return new TrainproofException(ExitCode.BAD_INPUT, where + ": " + what);
    }

    public static TrainproofException badInput(Object where, String what, Throwable cause) {
        return new TrainproofException(ExitCode.BAD_INPUT, where + ": " + what, cause);
    }

    /** Usage error (exit 2). */
    public static TrainproofException usage(String what) {
        return new TrainproofException(ExitCode.USAGE, what);
    }

    /** Integrity failure (exit 1), for primitives that throw rather than return a verdict. */
    public static TrainproofException integrity(Object where, String what) {
        return new TrainproofException(ExitCode.INTEGRITY, where + ": " + what);
    }
}
