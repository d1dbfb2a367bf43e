namespace AmtSharp.Training.FineTuning;

/// <summary>
/// Seeded Beta(a, b) draws from a <see cref="Random"/> (System.Random has none): X / (X + Y) with X ~ Gamma(a),
/// Y ~ Gamma(b), Gamma by Marsaglia and Tsang (2000) with the U^(1/a) boost below shape 1.
/// </summary>
public static class BetaDistribution
{
    public static double Sample(Random rng, double a, double b)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(b);
        double x = Gamma(rng, a), y = Gamma(rng, b);
        double sum = x + y;
        // Both can underflow to 0 for tiny shapes; the distribution is then split between the two ends.
        return sum > 0 ? x / sum : (rng.NextDouble() < a / (a + b) ? 1.0 : 0.0);
    }

    /// <summary>Gamma(shape, 1).</summary>
    public static double Gamma(Random rng, double shape)
    {
        if (shape < 1)
        {
            // Gamma(k) = Gamma(k + 1) · U^(1/k).
            return Gamma(rng, shape + 1) * Math.Pow(OpenUnit(rng), 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(rng);
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            double u = OpenUnit(rng);
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
            {
                return d * v;
            }
        }
    }

    /// <summary>Standard normal by Box–Muller.</summary>
    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(OpenUnit(rng))) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Uniform on (0, 1], so logarithms stay finite.</summary>
    private static double OpenUnit(Random rng) => 1.0 - rng.NextDouble();
}
