package org.trainproof.trainlog;

/**
 * Stable finding codes of the training-log readers. Each messy thing in a real log is one of
 * these (aggregated per file and metric: count in {@code n}, first occurrence in the location),
 * never an exception.
 */
public final class LogFindings {
    private LogFindings() {}

    /** A value is NaN or ±Infinity (Python writes bare {@code NaN}). */
    public static final String NON_FINITE_VALUE = "LOG_NON_FINITE_VALUE";
    /** The same (metric, step) appears more than once. */
    public static final String DUPLICATE_STEP = "LOG_DUPLICATE_STEP";
    /** A metric's step is smaller than its previous step (restart or resume). */
    public static final String STEP_BACKWARDS = "LOG_STEP_BACKWARDS";
    /** The first logged step of the file is not 0. */
    public static final String FIRST_STEP_NOT_ZERO = "LOG_FIRST_STEP_NOT_ZERO";
    /** Gaps larger than the metric's usual logging interval. */
    public static final String MISSING_STEPS = "LOG_MISSING_STEPS";
    /** The format's values are averages over a window of steps, not single-step values. */
    public static final String WINDOWED_AVERAGE = "LOG_WINDOWED_AVERAGE";
    /** The last record is incomplete (a live file still being written); it was not read. */
    public static final String TRUNCATED_LAST_RECORD = "LOG_TRUNCATED_LAST_RECORD";
    /** The last line has no newline but parsed; it may still grow, so a ledger stops before it. */
    public static final String UNTERMINATED_LAST_LINE = "LOG_UNTERMINATED_LAST_LINE";
    /** A TFRecord's data CRC does not match: the record was skipped. */
    public static final String BAD_DATA_CRC = "LOG_BAD_DATA_CRC";
    /** A TFRecord's length CRC does not match (or the length is impossible): the file was not read further. */
    public static final String BAD_LENGTH_CRC = "LOG_BAD_LENGTH_CRC";
    /** A record could not be parsed (malformed JSON line, bad protobuf, wrong field count); skipped. */
    public static final String MALFORMED_RECORD = "LOG_MALFORMED_RECORD";
    /** A key the reader does not know; kept under its own name when numeric. */
    public static final String UNKNOWN_KEY = "LOG_UNKNOWN_KEY";
    /** A non-numeric value (string, media object, histogram) was skipped. */
    public static final String NON_NUMERIC_VALUE = "LOG_NON_NUMERIC_VALUE";
    /** Records without a step: skipped, or numbered by their order when the format has no steps at all. */
    public static final String STEP_MISSING = "LOG_STEP_MISSING";
    /**
     * The reader numbered records by their order (the log has no step column): the numbers are record
     * indices, not training steps, so nothing that needs a step (the step-0 loss, updates to a loss,
     * tokens = steps × batch) can use them.
     */
    public static final String STEPS_BY_ORDER = "LOG_STEPS_BY_ORDER";
    /** The file (or directory) holds no metric records. */
    public static final String EMPTY_LOG = "LOG_EMPTY";
    /** An event was rejected because its wall time is NaN (as TensorBoard does). */
    public static final String NAN_WALL_TIME = "LOG_NAN_WALL_TIME";
}
