package org.trainproof.analysis.lineage;

import java.util.Map;

/**
 * Parameters of {@code compare}, each with where its value comes from.
 *
 * @param permutations T, the number of random permutations for every permutation/shuffle null; the
 *     smallest reportable p is 1/(T+1), so T ≥ 10/α (catalogue §4.2). Default 9999.
 * @param seed seed of every random choice (subsamples, permutations); results are reproducible.
 * @param alpha family-wise level; Bonferroni-divided by the number of checks that ran. Default 1e-3
 *     (catalogue X1 threshold guidance).
 * @param maxUnits hidden units sampled per layer (all when fewer). The same sample is used for the
 *     observed statistic and for every permuted copy, so exact p-values stay exact.
 * @param maxCoords coordinates (input/output dimensions) sampled per matrix for the cosines. Default 256:
 *     the null sd of a row cosine is 1/16, far below the cosines a derivative keeps; it halves the
 *     dominant cost (|S| × h × coords multiply-adds per matrix) relative to 512.
 * @param hungarianMaxColumns exact Hungarian matching up to this many candidate units; above it an
 *     injective greedy matching (same procedure for every layer; the matching test is approximate anyway).
 * @param normEffectFloor minimum mean centered r over norm vectors to call dependence. 0.1: the
 *     independent Solar/GLM pair has mean r 0.0054 and max |r| 0.043 over 92 vectors (catalogue §1.1);
 *     a known derivative (GLM→INTELLECT-3) has r ≈ 1. Provisional until calibrated on the fixtures.
 * @param permEffectFloor minimum mean excess cosine of same-index units over the permutation mean.
 *     0.05: for independent models it is ≈ N(0, 1/(k·n)) (k coordinates, n units), below 0.005 at
 *     k = n = 256; fine-tuned derivatives keep row cosines near 1. Provisional.
 * @param matchEffectFloor minimum mean Spearman ρ between the two matchings. 0.2: under independence
 *     ρ ≈ N(0, 1/(n−1)), 0.2 is 4.5σ at n = 512 units. Provisional.
 * @param minVectorLength shortest vector compared by the norm-gain test (shorter ones say too little).
 * @param minUnits smallest hidden width tested.
 * @param nameMap explicit A-name → B-name pairs (the --map option), applied before the name rule.
 */
public record LineageConfig(int permutations, long seed, double alpha, int maxUnits, int maxCoords,
        int hungarianMaxColumns, double normEffectFloor, double permEffectFloor, double matchEffectFloor,
        int minVectorLength, int minUnits, Map<String, String> nameMap) {

    public LineageConfig {
        if (permutations < 1) throw new IllegalArgumentException("permutations must be >= 1");
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("alpha must be in (0, 1)");
        if (maxUnits < 4 || maxCoords < 4) throw new IllegalArgumentException("sample sizes must be >= 4");
        nameMap = nameMap == null ? Map.of() : Map.copyOf(nameMap);
    }

    public static LineageConfig defaults() {
        return new LineageConfig(9999, 1L, 1e-3, 512, 256, 1024, 0.1, 0.05, 0.2, 16, 16, Map.of());
    }

    public LineageConfig withPermutations(int t) {
        return new LineageConfig(t, seed, alpha, maxUnits, maxCoords, hungarianMaxColumns, normEffectFloor,
                permEffectFloor, matchEffectFloor, minVectorLength, minUnits, nameMap);
    }

    public LineageConfig withSeed(long s) {
        return new LineageConfig(permutations, s, alpha, maxUnits, maxCoords, hungarianMaxColumns, normEffectFloor,
                permEffectFloor, matchEffectFloor, minVectorLength, minUnits, nameMap);
    }

    public LineageConfig withNameMap(Map<String, String> m) {
        return new LineageConfig(permutations, seed, alpha, maxUnits, maxCoords, hungarianMaxColumns, normEffectFloor,
                permEffectFloor, matchEffectFloor, minVectorLength, minUnits, m);
    }

    public LineageConfig withSampling(int units, int coords) {
        return new LineageConfig(permutations, seed, alpha, units, coords, hungarianMaxColumns, normEffectFloor,
                permEffectFloor, matchEffectFloor, minVectorLength, minUnits, nameMap);
    }
}
