package org.trainproof.analysis.lineage;

/** Finding codes of {@code compare}. Tests assert on these, never on message text. */
public final class LineageCodes {
    private LineageCodes() {}

    /** A tensor name present in both models with different shapes; skipped. */
    public static final String SHAPE_MISMATCH = "LINEAGE_SHAPE_MISMATCH";
    /** Tensors of one model with no partner in the other (after the name rule and --map). */
    public static final String UNPAIRED_TENSORS = "LINEAGE_UNPAIRED_TENSORS";
    /** Tensors not compared: non-float dtype, rank above 2, too small, or not part of a hidden layer. */
    public static final String SKIPPED_TENSORS = "LINEAGE_SKIPPED_TENSORS";
    /** One paired vector W8 cannot use, and which requirement it misses (length, or axis without permutation symmetry). */
    public static final String VECTOR_EXCLUDED = "LINEAGE_VECTOR_EXCLUDED";
    /** NaN or infinity in a compared tensor; the tensor is skipped. */
    public static final String NONFINITE_VALUES = "LINEAGE_NONFINITE_VALUES";
    /** A vector with zero spread (e.g. gains reset to 1): no centered statistic exists. */
    public static final String CONSTANT_VECTOR = "LINEAGE_CONSTANT_VECTOR";
    /** One norm-gain/bias vector: raw cosine beside its moment prediction and shuffle null; centered r and p. */
    public static final String NORM_VECTOR = "LINEAGE_NORM_VECTOR";
    /** A vector whose centered correlation is significant with an effect above the floor. */
    public static final String NORM_VECTOR_DEPENDENT = "LINEAGE_NORM_VECTOR_DEPENDENT";
    /** Layer × layer centered-correlation matrix of one vector kind: matched (diagonal) vs off-diagonal. */
    public static final String NORM_LAYER_MATRIX = "LINEAGE_NORM_LAYER_MATRIX";
    /** One hidden layer: permutation test (units in place) and matching test (units re-matched). */
    public static final String HIDDEN_LAYER = "LINEAGE_HIDDEN_LAYER";
    /** A hidden layer whose permutation or matching test is significant with an effect above the floor. */
    public static final String HIDDEN_LAYER_DEPENDENT = "LINEAGE_HIDDEN_LAYER_DEPENDENT";
}
