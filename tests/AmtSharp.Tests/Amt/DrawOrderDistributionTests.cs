using AmtSharp.Masking;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Amt;

/// <summary>
/// AMT's weighted draw must be weighted sampling without replacement (what multinomial without replacement draws),
/// not just favour heavy cells: over many draws of four cells, the first-drawn and first-two-drawn frequencies
/// match the exact probabilities within five binomial standard errors.
/// </summary>
public sealed class DrawOrderDistributionTests
{
    private const int Draws = 100_000;
    private static readonly double[] Weights = [0.5, 1.0, 2.5, 4.0];

    [Fact]
    public void TheFirstDrawnCellFollowsTheWeights()
    {
        long[] order = Orders();
        double s = Weights.Sum();
        var counts = new int[Weights.Length];
        for (int r = 0; r < Draws; r++)
        {
            counts[order[r * Weights.Length]]++;
        }
        for (int i = 0; i < Weights.Length; i++)
        {
            AssertFrequency(counts[i], Weights[i] / s, $"cell {i} drawn first");
        }
    }

    [Fact]
    public void TheFirstTwoDrawnCellsFollowSamplingWithoutReplacement()
    {
        long[] order = Orders();
        double s = Weights.Sum();
        int n = Weights.Length;
        var counts = new int[n, n];
        for (int r = 0; r < Draws; r++)
        {
            long a = order[r * n], b = order[r * n + 1];
            counts[Math.Min(a, b), Math.Max(a, b)]++;
        }
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                // i then j, or j then i, each second draw renormalised over the cells left.
                double exact = Weights[i] / s * Weights[j] / (s - Weights[i]) + Weights[j] / s * Weights[i] / (s - Weights[j]);
                AssertFrequency(counts[i, j], exact, $"cells {{{i}, {j}}} drawn first");
            }
        }
    }

    // Every row of the same weights, one generator: Draws independent orders over the cells, row-major.
    private static long[] Orders()
    {
        using var scope = NewDisposeScope();
        var weights = tensor(Weights.Select(w => (float)w).ToArray()).unsqueeze(0).expand(Draws, -1).contiguous();
        using var generator = new Generator(20261206);
        return DrawOrder.Weighted(weights, generator).data<long>().ToArray();
    }

    private static void AssertFrequency(int count, double p, string what)
    {
        double observed = (double)count / Draws;
        double sigma = Math.Sqrt(p * (1 - p) / Draws);
        Assert.True(Math.Abs(observed - p) <= 5 * sigma, $"{what}: frequency {observed:F4}, exact {p:F4} (5σ = {5 * sigma:F4})");
    }
}
