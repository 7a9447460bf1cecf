package org.trainproof.analysis.lineage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Hungarian against brute force at every small size; greedy is injective and recovers clear matchings. */
class AssignmentTest {

    private static double bruteForceBest(double[][] s, int row, boolean[] used) {
        if (row == s.length) return 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s[0].length; j++) {
            if (used[j]) continue;
            used[j] = true;
            best = Math.max(best, s[row][j] + bruteForceBest(s, row + 1, used));
            used[j] = false;
        }
        return best;
    }

    @Test
    void hungarian_equalsBruteForce_everySizeUpTo7_includingRectangular() {
        SplittableRandom rng = new SplittableRandom(7);
        int cases = 0;
        for (int n = 1; n <= 7; n++) {
            for (int m = n; m <= 7; m++) {
                for (int rep = 0; rep < 5; rep++) {
                    double[][] s = new double[n][m];
                    for (double[] row : s) for (int j = 0; j < m; j++) row[j] = rng.nextDouble() * 2 - 1;
                    int[] match = Assignment.hungarianMax(s);
                    boolean[] seen = new boolean[m];
                    for (int j : match) {
                        assertTrue(!seen[j], "injective");
                        seen[j] = true;
                    }
                    assertEquals(bruteForceBest(s, 0, new boolean[m]), Assignment.weight(s, match), 1e-9, "n=" + n + " m=" + m);
                    cases++;
                }
            }
        }
        assertEquals(140, cases);
    }

    @Test
    void greedy_recoversNoisyPermutation_andIsInjective() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 50;
        int[] perm = LineageNumerics.randomPermutation(n, rng);
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) s[i][j] = 0.1 * (rng.nextDouble() - 0.5);
            s[i][perm[i]] += 1;
        }
        assertArrayEquals(perm, Assignment.greedyMax(s));
        assertArrayEquals(perm, Assignment.hungarianMax(s));
    }
}
