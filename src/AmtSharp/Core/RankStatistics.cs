namespace AmtSharp.Core;

/// <summary>Rank-based statistics over small vectors.</summary>
public static class RankStatistics
{
    /// <summary>Ranks from 1, ties given their average rank (the rank transform Spearman's ρ uses).</summary>
    public static double[] AverageRanks(ReadOnlySpan<float> values)
    {
        var v = values.ToArray();
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Length];
        for (int start = 0; start < order.Length;)
        {
            int end = start + 1;
            while (end < order.Length && v[order[end]] == v[order[start]])
            {
                end++;
            }
            double rank = (start + end + 1) / 2.0;       // mean of ranks start+1 … end
            for (int k = start; k < end; k++)
            {
                ranks[order[k]] = rank;
            }
            start = end;
        }
        return ranks;
    }

    /// <summary>
    /// Spearman's ρ: the Pearson correlation of the average ranks. 0 when either vector is constant (no order to agree
    /// with), so flat maps neither raise nor lower a mean.
    /// </summary>
    public static double Spearman(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"lengths differ: {a.Length} and {b.Length}", nameof(b));
        }
        var ra = AverageRanks(a);
        var rb = AverageRanks(b);
        double ma = ra.Average(), mb = rb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            double da = ra[i] - ma, db = rb[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : 0;
    }
}
