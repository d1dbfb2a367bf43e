using AmtSharp.Core;
using AmtSharp.Data;

namespace AmtSharp.Tests.Training;

/// <summary>
/// An easy labelled source whose class survives crops and flips: the image's dominant colour (red, green, blue or grey)
/// under per-pixel noise.
/// </summary>
internal sealed class TintSource(int count, int size = 16, long seed = 0) : IImageSource
{
    private static readonly byte[][] Tints = [[170, 60, 60], [60, 170, 60], [60, 60, 170], [115, 115, 115]];

    public int Count => count;

    public string Name => "tints";

    public IReadOnlyList<string> ClassNames { get; } = ["red", "green", "blue", "grey"];

    public int LabelOf(int index) => index % 4;

    public RgbImage Load(int index)
    {
        var rng = Seeds.Random(seed, Seeds.Purpose.Synthetic, index);
        var tint = Tints[LabelOf(index)];
        var pixels = new byte[size * size * 3];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)Math.Clamp(tint[i % 3] + rng.Next(-70, 71), 0, 255);
        }
        return new RgbImage(size, size, pixels);
    }

    public string Describe(int index) => $"tint #{index}";
}
