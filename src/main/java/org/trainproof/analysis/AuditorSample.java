package org.trainproof.analysis;

import org.trainproof.checkpoint.Seeds;

/**
 * Positions the auditor chooses with a fresh seed the signer could not predict (the seed is printed so
 * a run can be reproduced): for each tensor, k distinct positions from
 * {@code SplitMix64(seed XOR Seeds.seed("audit", name))}, sorted; all positions if count ≤ k.
 */
public final class AuditorSample {
    private AuditorSample() {}

    public static long[] positions(long auditorSeed, String tensor, long count, int k) {
        return Seeds.distinctSortedPositions(auditorSeed ^ Seeds.seed("audit", tensor), count, k);
    }
}
