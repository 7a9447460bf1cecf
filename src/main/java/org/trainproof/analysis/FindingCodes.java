package org.trainproof.analysis;

/** Stable finding codes of the consistency checks. Tests assert on these, never on messages. */
public final class FindingCodes {
    private FindingCodes() {}

    public static final String MISSING_CLAIM = "MISSING_CLAIM";
    public static final String CLAIM_MALFORMED = "CLAIM_MALFORMED";

    public static final String L1_STEP0_LOSS_BELOW_LN_V = "L1_STEP0_LOSS_BELOW_LN_V";
    public static final String L1_STEP0_LOSS_NEAR_LN_V = "L1_STEP0_LOSS_NEAR_LN_V";
    public static final String L1_STEP0_LOSS_ABOVE_LN_V = "L1_STEP0_LOSS_ABOVE_LN_V";
    public static final String L1_STEP0_LOSS_SLIGHTLY_BELOW = "L1_STEP0_LOSS_SLIGHTLY_BELOW";
    public static final String L1_FIRST_STEP_NOT_ZERO = "L1_FIRST_STEP_NOT_ZERO";
    public static final String L1_FIRST_RECORD_WINDOWED = "L1_FIRST_RECORD_WINDOWED";
    public static final String L1_FIRST_LOSS_FAR_BELOW_LN_V = "L1_FIRST_LOSS_FAR_BELOW_LN_V";
    public static final String L1_NON_FINITE_LOSS = "L1_NON_FINITE_LOSS";
    public static final String L1_STEP_UNKNOWN = "L1_STEP_UNKNOWN";

    public static final String L4_LOSS_SPIKE = "L4_LOSS_SPIKE";
    public static final String L4_LOSS_SPIKE_NEAR_EVENT = "L4_LOSS_SPIKE_NEAR_EVENT";
    public static final String L4_GRAD_NORM_WITH_LOSS_SPIKES = "L4_GRAD_NORM_WITH_LOSS_SPIKES";
    public static final String L4_FINE_TUNE_LIKE_GRAD_NORM = "L4_FINE_TUNE_LIKE_GRAD_NORM";

    public static final String W1_NOT_ONES = "W1_NOT_ONES";
    public static final String W1_NOT_ZEROS = "W1_NOT_ZEROS";
    public static final String W1_KS_REJECTS_INIT = "W1_KS_REJECTS_INIT";
    public static final String W1_STD_MISMATCH = "W1_STD_MISMATCH";
    public static final String W1_OUT_OF_BOUNDS = "W1_OUT_OF_BOUNDS";
    public static final String W1_NO_RULE = "W1_NO_RULE";
    public static final String W1_NOT_BF16_VALUES = "W1_NOT_BF16_VALUES";

    public static final String W2_RANK_MATCHED_INIT = "W2_RANK_MATCHED_INIT";

    public static final String W3_UPDATE_EXCEEDS_ADAM_BOUND = "W3_UPDATE_EXCEEDS_ADAM_BOUND";
    public static final String W3_UPDATES_TOO_SMALL = "W3_UPDATES_TOO_SMALL";

    public static final String W4_LINK_NOT_DEPENDENT = "W4_LINK_NOT_DEPENDENT";
    public static final String W4_LINK_OUTSIDE_RANGE = "W4_LINK_OUTSIDE_RANGE";

    public static final String W5_NORM_GROWTH_IGNORES_LR = "W5_NORM_GROWTH_IGNORES_LR";

    public static final String W7_STRAIGHT_LINE_TRAJECTORY = "W7_STRAIGHT_LINE_TRAJECTORY";

    public static final String W9_STEP0_SPECTRUM_SPIKE = "W9_STEP0_SPECTRUM_SPIKE";
    public static final String W10_TRAJECTORY_ON_CHORD = "W10_TRAJECTORY_ON_CHORD";
    public static final String W10_RESIDUALS_INCOHERENT = "W10_RESIDUALS_INCOHERENT";

    public static final String RESUME_FRESH_OPTIMIZER_STATE = "RESUME_FRESH_OPTIMIZER_STATE";
    public static final String RESUME_DECLARED_RESET = "RESUME_DECLARED_RESET";
    public static final String RESUME_FIRST_STEP_SIGN_UPDATE = "RESUME_FIRST_STEP_SIGN_UPDATE";
    /** record --resume: the run was restarted from a recorded checkpoint (INFO; {@link ResumeClaims}). */
    public static final String RESUME_CLAIMED = "RESUME_CLAIMED";

    public static final String L5_TOKENS_MISMATCH = "L5_TOKENS_MISMATCH";
    public static final String L5_TIME_NOT_MONOTONE = "L5_TIME_NOT_MONOTONE";
    public static final String L5_STEPS_NOT_INCREASING = "L5_STEPS_NOT_INCREASING";

    public static final String C1_MFU_IMPOSSIBLE = "C1_MFU_IMPOSSIBLE";
    public static final String C1_MFU_IMPLAUSIBLE = "C1_MFU_IMPLAUSIBLE";
    public static final String C1_MFU_LOW = "C1_MFU_LOW";
    public static final String C1_UNKNOWN_ACCELERATOR = "C1_UNKNOWN_ACCELERATOR";

    public static final String C2_THROUGHPUT_SHIFT = "C2_THROUGHPUT_SHIFT";

    public static final String L2_FASTER_THAN_SCRATCH = "L2_FASTER_THAN_SCRATCH";
    public static final String L2_EARLY_CURVE_NOT_LOGGED = "L2_EARLY_CURVE_NOT_LOGGED";
}
