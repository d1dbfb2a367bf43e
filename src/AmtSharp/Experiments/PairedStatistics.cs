namespace AmtSharp.Experiments;

/// <summary>Mean, spread and a 95 % confidence interval of a few numbers (one per seed).</summary>
/// <param name="N">How many values.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="Sd">Sample standard deviation (n − 1); 0 for one value.</param>
/// <param name="Low">Lower end of the two-sided 95 % t interval of the mean; NaN for one value.</param>
/// <param name="High">Upper end; NaN for one value.</param>
public sealed record Summary(int N, double Mean, double Sd, double Low, double High)
{
    /// <summary>Whether the interval lies wholly above (+1), wholly below (−1) or straddles 0 (0); 0 for one value.</summary>
    public int Sign => N < 2 ? 0 : Low > 0 ? 1 : High < 0 ? -1 : 0;
}

/// <summary>
/// Student-t summaries over seeds. A paired difference (arm minus baseline at the same seed) removes what the seeds
/// share (data order, crops, initialisation), so its interval is the honest measure of an arm's effect.
/// </summary>
public static class PairedStatistics
{
    // Two-sided 95 % quantiles t(0.975, df) for df = 1 … 30 (standard table values).
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>t(0.975, df); beyond the table the normal quantile 1.96 (within 2 % from df = 30 on).</summary>
    public static double TQuantile975(int df)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(df, 1);
        return df <= T975.Length ? T975[df - 1] : 1.96;
    }

    /// <summary>Mean ± t·sd/√n over <paramref name="values"/>.</summary>
    public static Summary Summarise(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("no values to summarise", nameof(values));
        }
        int n = values.Count;
        double mean = values.Average();
        if (n == 1)
        {
            return new Summary(1, mean, 0, double.NaN, double.NaN);
        }
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double half = TQuantile975(n - 1) * sd / Math.Sqrt(n);
        return new Summary(n, mean, sd, mean - half, mean + half);
    }

    /// <summary>The paired differences a[s] − b[s] over the seeds both have, summarised.</summary>
    public static Summary? Paired(IReadOnlyDictionary<long, double> a, IReadOnlyDictionary<long, double> b)
    {
        var seeds = a.Keys.Intersect(b.Keys).Order().ToList();
        return seeds.Count == 0 ? null : Summarise(seeds.Select(s => a[s] - b[s]).ToList());
    }
}
