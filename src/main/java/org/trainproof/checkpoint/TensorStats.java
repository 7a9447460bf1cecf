package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Summary statistics of one tensor's decoded values. {@code count} is the element count;
 * mean, std (population), min, max and l2 are over the finite values and are null when there are
 * none (canonical JSON has no NaN). {@code zeros}, {@code nan}, {@code posInf}, {@code negInf} count
 * elements.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TensorStats(
        long count, Double mean, Double std, Double min, Double max, Double l2,
        long zeros, long nan, long posInf, long negInf) {

    /** Number of finite elements. */
    public long finite() {
        return count - nan - posInf - negInf;
    }
}
