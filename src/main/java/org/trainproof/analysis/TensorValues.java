package org.trainproof.analysis;

/**
 * Exact tensor values read from checkpoint files ({@code verify --artifacts}, {@code analyze}).
 * Implementations read only the requested positions (memory-mapped), decoded to double.
 */
public interface TensorValues {
    /**
     * Values of {@code tensor} in the checkpoint saved at {@code step}, at the given flat row-major
     * positions (ascending). Requires the tensor to exist there with a decodable dtype.
     */
    double[] at(long step, String tensor, long[] positions);
}
