package org.trainproof.analysis.stats;

/** Upper tail of the chi-squared distribution with an even number of degrees of freedom. */
public final class ChiSquare {
    private ChiSquare() {}

    /**
     * P(X &gt; x) for X ~ χ²_{2k}: e^{−x/2} Σ_{j&lt;k} (x/2)^j / j! (Abramowitz &amp; Stegun 26.4.21),
     * summed in log space so it stays finite for large x and k. Requires k &ge; 1, x &ge; 0.
     */
    public static double sfEvenDf(double x, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1");
        if (x <= 0) return 1.0;
        double h = x / 2;
        // log of each term: −h + j ln h − ln j!; sum with log-sum-exp.
        double logTerm = -h;
        double maxLog = logTerm;
        double[] logs = new double[k];
        logs[0] = logTerm;
        for (int j = 1; j < k; j++) {
            logTerm += Math.log(h) - Math.log(j);
            logs[j] = logTerm;
            maxLog = Math.max(maxLog, logTerm);
        }
        double s = 0;
        for (double l : logs) s += Math.exp(l - maxLog);
        return Math.min(1.0, Math.exp(maxLog + Math.log(s)));
    }
}
