package dev.atfork.itest.reliability;

/** Statistics of hang counts for the benchmarks: one-sided tests of two proportions, and a confidence interval. */
final class Proportions {

    private Proportions() {
    }

    /** One-sided p of a pooled two-proportion z-test for x1/n1 &gt; x2/n2; 1 when there is no hang at all. */
    static double zTestOneSided(long x1, long n1, long x2, long n2) {
        double pooled = (double) (x1 + x2) / (n1 + n2);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
        if (se == 0) {
            return 1;
        }
        double z = ((double) x1 / n1 - (double) x2 / n2) / se;
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7). */
    private static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /**
     * One-sided p of Fisher's exact test for x1 of n1 being more than x2 of n2: the hypergeometric
     * probability that the first sample holds x1 or more of the x1 + x2 hangs.
     */
    static double fisherOneSided(long x1, long n1, long x2, long n2) {
        int n = (int) (n1 + n2);
        int hangs = (int) (x1 + x2);
        double[] logFactorial = new double[n + 1];
        for (int i = 1; i <= n; i++) {
            logFactorial[i] = logFactorial[i - 1] + Math.log(i);
        }
        double logTotal = logChoose(logFactorial, n, (int) n1);
        double p = 0;
        for (int k = (int) x1; k <= Math.min(hangs, n1); k++) {
            p += Math.exp(logChoose(logFactorial, hangs, k) + logChoose(logFactorial, n - hangs, (int) n1 - k) - logTotal);
        }
        return Math.min(1, p);
    }

    private static double logChoose(double[] logFactorial, int n, int k) {
        return k < 0 || k > n ? Double.NEGATIVE_INFINITY : logFactorial[n] - logFactorial[k] - logFactorial[n - k];
    }

    /** The 95 % Wilson score interval of the proportion x/n, as {lower, upper}. */
    static double[] wilson95(long x, long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive: " + n);
        }
        double z = 1.959964;
        double p = (double) x / n;
        double denominator = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / denominator;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }
}
