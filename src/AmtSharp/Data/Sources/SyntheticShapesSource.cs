using AmtSharp.Core;
using SkiaSharp;

namespace AmtSharp.Data.Sources;

/// <summary>How the synthetic images look around the object.</summary>
public enum SyntheticStyle
{
    /// <summary>A gradient background with distractor strokes and blobs, and pixel noise: the study's and the tests' set.</summary>
    Cluttered,

    /// <summary>
    /// A larger object (radius 34-44 % of the side) in one grey level on a flat background of another, no noise: the
    /// demo's set, where a short run on a CPU can learn the shapes. Every shape is scaled to the same area and drawn at
    /// any rotation, so neither brightness nor the amount of object tells the class; only the outline does (a linear
    /// probe on raw pixels, or on an encoder at initialisation, stays near chance). Grey, because random colours weigh in
    /// an MAE encoder's features as much as the shape does and kept kNN from gaining (docs/benchmarks.md).
    /// </summary>
    Plain,
}

/// <summary>Settings of the synthetic shapes dataset. <paramref name="FirstIndex"/> selects the index range (the split).</summary>
public sealed record SyntheticShapesConfig(int Count = 10_000, int Size = 32, int Classes = 10, long Seed = 0, long FirstIndex = 0,
    SyntheticStyle Style = SyntheticStyle.Cluttered);

/// <summary>
/// A file-free dataset: one shape per class (circle, square, triangle, ...) drawn antialiased with random colour,
/// size, rotation and position over a cluttered background (gradient, distractor strokes and blobs, pixel noise).
/// Colour is drawn independently of the class, so only shape identifies it. Each image is generated on demand
/// from <c>Seeds.Derive(seed, Synthetic, FirstIndex + index)</c>, so any index costs O(1) and the images never change.
/// The object's coverage mask is available through <see cref="IForegroundMasks"/>.
/// </summary>
public sealed class SyntheticShapesSource : IImageSource, IForegroundMasks
{
    /// <summary>Index offset of the test split: far above any train size, so the two never share an image.</summary>
    public const long TestFirstIndex = 1L << 40;

    private readonly SyntheticShapesConfig _config;

    public SyntheticShapesSource(SyntheticShapesConfig config)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(config.Count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.Size, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.Classes, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(config.Classes, ShapePaths.Names.Length);
        _config = config;
        ClassNames = ShapePaths.Names[..config.Classes];
    }

    public static SyntheticShapesSource Train(long seed = 0, int count = 50_000, int size = 32, int classes = 10,
        SyntheticStyle style = SyntheticStyle.Cluttered) =>
        new(new SyntheticShapesConfig(count, size, classes, seed, 0, style));

    public static SyntheticShapesSource Test(long seed = 0, int count = 10_000, int size = 32, int classes = 10,
        SyntheticStyle style = SyntheticStyle.Cluttered) =>
        new(new SyntheticShapesConfig(count, size, classes, seed, TestFirstIndex, style));

    public int Count => _config.Count;
    public string Name => _config.FirstIndex == 0 ? "synthetic-train" : "synthetic-test";
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Classes cycle with the index, so every split is balanced.</summary>
    public int LabelOf(int index) => (int)((_config.FirstIndex + Check(index)) % _config.Classes);

    public RgbImage Load(int index) => Render(index, withMask: false).Image;

    public float[] ForegroundMask(int index, out int width, out int height)
    {
        width = height = _config.Size;
        return Render(index, withMask: true).Mask!;
    }

    public string Describe(int index) => $"synthetic(seed={_config.Seed}, index={_config.FirstIndex + index})";

    private int Check(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return index;
    }

    private (RgbImage Image, float[]? Mask) Render(int index, bool withMask)
    {
        int s = _config.Size;
        Random rng = Seeds.Random(_config.Seed, Seeds.Purpose.Synthetic, _config.FirstIndex + Check(index));
        bool plain = _config.Style == SyntheticStyle.Plain;
        var placement = ObjectPlacement.Sample(rng, s, plain ? 0.34f : 0.20f, plain ? 0.10f : 0.16f);
        using SKPath shape = plain ? ShapePaths.CreateWithArea(LabelOf(index), PlainArea) : ShapePaths.Create(LabelOf(index));
        shape.Transform(placement.Matrix);

        using var bitmap = new SKBitmap(new SKImageInfo(s, s, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            float backgroundLuma = plain ? Clutter.DrawPlain(canvas, rng) : Clutter.DrawBackground(canvas, rng, s);
            Func<Random, SKColor> draw = plain ? RandomGrey : RandomColour;
            using var paint = new SKPaint { IsAntialias = true, Color = ContrastingColour(rng, backgroundLuma, draw), Style = SKPaintStyle.Fill };
            canvas.DrawPath(shape, paint);
        }
        byte[] rgb = ImageDecoder.FromRgba(s, s, bitmap.GetPixelSpan()).Pixels;
        if (!plain)
        {
            // Plain backgrounds stay flat: with norm-pix targets, noise on them would be the only thing left to predict.
            AddNoise(rgb, rng, amplitude: 12);
        }
        return (new RgbImage(s, s, rgb), withMask ? ShapePaths.Coverage(shape, s) : null);
    }

    /// <summary>
    /// The plain style's shape area, in units of the placement's radius squared: about the mean of the shapes' own
    /// areas, so that none is scaled far from its drawn size.
    /// </summary>
    internal const float PlainArea = 1.8f;

    /// <summary>
    /// A colour from <paramref name="draw"/> whose brightness differs from the background's, so the object is visible;
    /// it depends on the background only, never on the class.
    /// </summary>
    private static SKColor ContrastingColour(Random rng, float backgroundLuma, Func<Random, SKColor> draw)
    {
        SKColor colour = draw(rng);
        for (int attempt = 0; attempt < 20 && Math.Abs(Luma(colour) - backgroundLuma) < 0.25f; attempt++)
        {
            colour = draw(rng);
        }
        return colour;
    }

    internal static float Luma(SKColor c) => (0.299f * c.Red + 0.587f * c.Green + 0.114f * c.Blue) / 255f;

    internal static SKColor RandomColour(Random rng) =>
        SKColor.FromHsv((float)(rng.NextDouble() * 360), 40 + (float)rng.NextDouble() * 60, 35 + (float)rng.NextDouble() * 65);

    /// <summary>A grey as bright as <see cref="RandomColour"/>'s colours can be (35-100 %).</summary>
    internal static SKColor RandomGrey(Random rng)
    {
        byte v = (byte)Math.Round(255 * (0.35 + 0.65 * rng.NextDouble()));
        return new SKColor(v, v, v);
    }

    private static void AddNoise(byte[] rgb, Random rng, int amplitude)
    {
        for (int i = 0; i < rgb.Length; i++)
        {
            rgb[i] = (byte)Math.Clamp(rgb[i] + rng.Next(-amplitude, amplitude + 1), 0, 255);
        }
    }

    /// <summary>
    /// Where the object goes: a radius of minRadius plus up to radiusRange of the side (cluttered: 20-36 %), any
    /// rotation, kept mostly inside the image.
    /// </summary>
    private readonly record struct ObjectPlacement(SKMatrix Matrix)
    {
        public static ObjectPlacement Sample(Random rng, int s, float minRadius, float radiusRange)
        {
            float radius = s * (minRadius + radiusRange * (float)rng.NextDouble());
            float degrees = (float)(rng.NextDouble() * 360);
            float margin = radius * 0.85f;
            float cx = margin + (float)rng.NextDouble() * (s - 2 * margin);
            float cy = margin + (float)rng.NextDouble() * (s - 2 * margin);
            SKMatrix m = SKMatrix.CreateScale(radius, radius)
                .PostConcat(SKMatrix.CreateRotationDegrees(degrees))
                .PostConcat(SKMatrix.CreateTranslation(cx, cy));
            return new ObjectPlacement(m);
        }
    }
}

/// <summary>Cluttered backgrounds: a random two-colour gradient with random strokes, arcs and blobs on top.</summary>
internal static class Clutter
{
    /// <summary>Draws the background and returns its mean brightness (0..1).</summary>
    public static float DrawBackground(SKCanvas canvas, Random rng, int s)
    {
        // Gradient length at least half the side; shorter ones mirror-tile into stripes, which we allow but keep coarse.
        var from = Point(rng, s);
        double angle = rng.NextDouble() * 2 * Math.PI, length = s * (0.5 + rng.NextDouble());
        var to = new SKPoint(from.X + (float)(length * Math.Cos(angle)), from.Y + (float)(length * Math.Sin(angle)));
        SKColor first = SyntheticShapesSource.RandomColour(rng), second = SyntheticShapesSource.RandomColour(rng);
        using (var shader = SKShader.CreateLinearGradient(from, to, [first, second], SKShaderTileMode.Mirror))
        using (var paint = new SKPaint { Shader = shader })
        {
            canvas.DrawRect(0, 0, s, s, paint);
        }

        int distractors = 4 + rng.Next(5);
        using var ink = new SKPaint { IsAntialias = true, StrokeCap = SKStrokeCap.Round };
        for (int i = 0; i < distractors; i++)
        {
            ink.Color = SyntheticShapesSource.RandomColour(rng).WithAlpha((byte)(100 + rng.Next(120)));
            SKPoint a = Point(rng, s), b = Point(rng, s), c = Point(rng, s);
            switch (rng.Next(3))
            {
                case 0: // straight stroke
                    ink.Style = SKPaintStyle.Stroke;
                    ink.StrokeWidth = s * (0.015f + 0.025f * (float)rng.NextDouble());
                    canvas.DrawLine(a, b, ink);
                    break;
                case 1: // curved stroke
                    ink.Style = SKPaintStyle.Stroke;
                    ink.StrokeWidth = s * (0.015f + 0.025f * (float)rng.NextDouble());
                    using (var builder = new SKPathBuilder())
                    {
                        builder.MoveTo(a);
                        builder.QuadTo(b, c);
                        using SKPath curve = builder.Detach();
                        canvas.DrawPath(curve, ink);
                    }
                    break;
                default: // small blob, smaller than any object
                    ink.Style = SKPaintStyle.Fill;
                    float rx = s * (0.025f + 0.05f * (float)rng.NextDouble()), ry = s * (0.025f + 0.05f * (float)rng.NextDouble());
                    canvas.DrawOval(a, new SKSize(rx, ry), ink);
                    break;
            }
        }
        return (SyntheticShapesSource.Luma(first) + SyntheticShapesSource.Luma(second)) / 2;
    }

    /// <summary>The plain style's background: one random grey; returns its brightness (0..1).</summary>
    public static float DrawPlain(SKCanvas canvas, Random rng)
    {
        SKColor colour = SyntheticShapesSource.RandomGrey(rng);
        canvas.Clear(colour);
        return SyntheticShapesSource.Luma(colour);
    }

    private static SKPoint Point(Random rng, int s) => new((float)rng.NextDouble() * s, (float)rng.NextDouble() * s);
}
