package org.trainproof.analysis;

import java.util.Arrays;
import java.util.HashSet;
import org.trainproof.checkpoint.Seeds;

/**
 * Positions the auditor chooses with a fresh seed the signer could not predict (the seed is printed so
 * a run can be reproduced): for each tensor, k distinct positions from
 * {@code SplitMix64(seed XOR Seeds.seed("audit", name))}, sorted; all positions if count ≤ k.
 */
public final class AuditorSample {
    private AuditorSample() {}

    public static long[] positions(long auditorSeed, String tensor, long count, int k) {
        if (count <= k) {
            long[] all = new long[(int) count];
            for (int i = 0; i < all.length; i++) all[i] = i;
            return all;
        }
        Seeds.SplitMix64 rng = new Seeds.SplitMix64(auditorSeed ^ Seeds.seed("audit", tensor));
        HashSet<Long> seen = new HashSet<>(k * 2);
        long[] out = new long[k];
        int n = 0;
        while (n < k) {
            long p = rng.nextLong(count);
            if (seen.add(p)) out[n++] = p;
        }
        Arrays.sort(out);
        return out;
    }
}
