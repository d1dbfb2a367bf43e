using static TorchSharp.torch;

namespace AmtSharp.Models.Vit;

/// <summary>
/// Fixed 2-D sine-cosine position embedding (MAE), with an all-zero slot 0 for [CLS].
/// For patch (row r, col c) with q = D/4 and ω_k = 10000^(−k/q): channels [0,q) sin(c·ω), [q,2q) cos(c·ω),
/// [2q,3q) sin(r·ω), [3q,4q) cos(r·ω). Positions are integer grid indices.
/// </summary>
public static class SinCosPositionEmbedding
{
    /// <summary>Returns [1, G²+1, width] as float32.</summary>
    public static Tensor Create(int gridSize, int width)
    {
        if (width % 4 != 0)
        {
            throw new ArgumentException($"width must be divisible by 4, got {width}", nameof(width));
        }
        int q = width / 4, l = gridSize * gridSize;
        var data = new float[(l + 1) * width];
        for (int r = 0; r < gridSize; r++)
        {
            for (int c = 0; c < gridSize; c++)
            {
                int o = (1 + r * gridSize + c) * width;
                for (int k = 0; k < q; k++)
                {
                    double omega = Math.Pow(10000.0, -(double)k / q);
                    data[o + k] = (float)Math.Sin(c * omega);
                    data[o + q + k] = (float)Math.Cos(c * omega);
                    data[o + 2 * q + k] = (float)Math.Sin(r * omega);
                    data[o + 3 * q + k] = (float)Math.Cos(r * omega);
                }
            }
        }
        return tensor(data, [1, l + 1, width]);
    }
}
