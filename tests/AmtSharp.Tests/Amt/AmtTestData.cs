using AmtSharp.Core;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Amt;

/// <summary>Priors and generators shared by the AMT tests.</summary>
internal static class AmtTestData
{
    /// <summary>A centred Gaussian "object" on a G×G grid, peak 1: [B, G²].</summary>
    public static Tensor Gaussian(long batch, int grid, double sigma)
    {
        var values = new float[grid * grid];
        double c = (grid - 1) / 2.0;
        for (int r = 0; r < grid; r++)
        {
            for (int col = 0; col < grid; col++)
            {
                double d2 = (r - c) * (r - c) + (col - c) * (col - c);
                values[r * grid + col] = (float)Math.Exp(-d2 / (2 * sigma * sigma));
            }
        }
        using var map = tensor(values, [1, grid * grid]);
        return map.expand(batch, -1).contiguous();
    }

    /// <summary>1.0 on the given cells, <paramref name="background"/> elsewhere: [B, cells].</summary>
    public static Tensor Block(long batch, int cells, int[] hot, float background = 1e-3f)
    {
        var values = Enumerable.Repeat(background, cells).ToArray();
        foreach (int i in hot)
        {
            values[i] = 1f;
        }
        using var map = tensor(values, [1, cells]);
        return map.expand(batch, -1).contiguous();
    }

    /// <summary>Cells of the 3×3 block at rows 2–4, columns 5–7 of an 8×8 grid.</summary>
    public static int[] Block3x3On8() =>
        [.. from r in Enumerable.Range(2, 3) from c in Enumerable.Range(5, 3) select r * 8 + c];

    public static Generator Gen(long seed, params long[] parts) =>
        new((ulong)Seeds.Derive(seed, Seeds.Purpose.Masking, parts));

    /// <summary>Per-cell frequency [cells] with which <paramref name="indices"/> [B, n] hit each cell.</summary>
    public static double[] Frequency(Tensor indices, int cells)
    {
        using var counts = indices.flatten().bincount(null, minlength: cells).to(ScalarType.Float64);
        double b = indices.shape[0];
        return [.. counts.data<double>().ToArray().Select(c => c / b)];
    }
}
