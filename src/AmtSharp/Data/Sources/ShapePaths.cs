using SkiaSharp;

namespace AmtSharp.Data.Sources;

/// <summary>The foreground shapes of the synthetic dataset, one per class, as paths of radius about 1 around the origin.</summary>
internal static class ShapePaths
{
    public static readonly string[] Names =
        ["circle", "square", "triangle", "star", "ring", "cross", "diamond", "hexagon", "crescent", "heart", "arrow", "bar"];

    public static SKPath Create(int kind) => kind switch
    {
        0 => Circle(1f),
        1 => Rect(-0.8f, -0.8f, 0.8f, 0.8f),
        2 => Polygon(3, 1f, -90),
        3 => Star(5, 1f, 0.42f),
        4 => Ring(),
        5 => Cross(),
        // Elongated, so that it differs from a rotated square.
        6 => Points((0, -1), (0.5f, 0), (0, 1), (-0.5f, 0)),
        7 => Polygon(6, 1f, 0),
        8 => Crescent(),
        9 => Heart(),
        10 => Points((0, -1), (0.75f, -0.1f), (0.28f, -0.1f), (0.28f, 1), (-0.28f, 1), (-0.28f, -0.1f), (-0.75f, -0.1f)),
        11 => Rect(-1f, -0.28f, 1f, 0.28f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"only {Names.Length} shapes exist"),
    };

    /// <summary>Shape <paramref name="kind"/> scaled about the origin so that its filled area is <paramref name="area"/>.</summary>
    public static SKPath CreateWithArea(int kind, float area)
    {
        SKPath path = Create(kind);
        float k = MathF.Sqrt(area / Areas.Value[kind]);
        path.Transform(SKMatrix.CreateScale(k, k));
        return path;
    }

    /// <summary>Each shape's filled area at radius 1, measured once by rasterising it at radius 100.</summary>
    private static readonly Lazy<float[]> Areas = new(() => Enumerable.Range(0, Names.Length).Select(kind =>
    {
        const int Side = 256, Radius = 100;
        using SKPath path = Create(kind);
        path.Transform(SKMatrix.CreateScale(Radius, Radius).PostConcat(SKMatrix.CreateTranslation(Side / 2, Side / 2)));
        return Coverage(path, Side).Sum() / (Radius * Radius);
    }).ToArray());

    /// <summary>Antialiased coverage of a path, 0..1 per pixel.</summary>
    public static float[] Coverage(SKPath shape, int s)
    {
        using var alpha = new SKBitmap(new SKImageInfo(s, s, SKColorType.Alpha8, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(alpha))
        {
            canvas.Clear(SKColors.Transparent);
            using var paint = new SKPaint { IsAntialias = true, Color = SKColors.White };
            canvas.DrawPath(shape, paint);
        }
        ReadOnlySpan<byte> a = alpha.GetPixelSpan();
        var mask = new float[s * s];
        for (int y = 0; y < s; y++)
        {
            for (int x = 0; x < s; x++)
            {
                mask[y * s + x] = a[y * alpha.RowBytes + x] / 255f;
            }
        }
        return mask;
    }

    /// <summary>Runs <paramref name="draw"/> on a fresh builder and returns the finished path.</summary>
    private static SKPath Build(Action<SKPathBuilder> draw, SKPathFillType fill = SKPathFillType.Winding)
    {
        using var b = new SKPathBuilder { FillType = fill };
        draw(b);
        return b.Detach();
    }

    private static SKPath Circle(float r) => Build(b => b.AddCircle(0, 0, r, SKPathDirection.Clockwise));

    private static SKPath Rect(float l, float t, float r, float b) =>
        Build(p => p.AddRect(new SKRect(l, t, r, b), SKPathDirection.Clockwise));

    private static SKPath Points(params (float X, float Y)[] pts) =>
        Build(b => b.AddPoly(pts.Select(q => new SKPoint(q.X, q.Y)).ToArray(), true));

    private static SKPath Polygon(int sides, float r, float startDegrees)
    {
        var pts = new (float, float)[sides];
        for (int i = 0; i < sides; i++)
        {
            double a = (startDegrees + 360.0 * i / sides) * Math.PI / 180;
            pts[i] = ((float)(r * Math.Cos(a)), (float)(r * Math.Sin(a)));
        }
        return Points(pts);
    }

    private static SKPath Star(int tips, float outer, float inner)
    {
        var pts = new (float, float)[2 * tips];
        for (int i = 0; i < 2 * tips; i++)
        {
            double a = (-90 + 180.0 * i / tips) * Math.PI / 180;
            float r = i % 2 == 0 ? outer : inner;
            pts[i] = ((float)(r * Math.Cos(a)), (float)(r * Math.Sin(a)));
        }
        return Points(pts);
    }

    private static SKPath Ring()
    {
        return Build(b =>
        {
            b.AddCircle(0, 0, 1f, SKPathDirection.Clockwise);
            b.AddCircle(0, 0, 0.55f, SKPathDirection.Clockwise);
        }, SKPathFillType.EvenOdd);
    }

    private static SKPath Cross()
    {
        const float a = 0.3f, b = 0.95f;
        return Points((-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a));
    }

    private static SKPath Crescent()
    {
        using SKPath outer = Circle(1f);
        using SKPath bite = Build(b => b.AddCircle(0.45f, -0.1f, 0.85f, SKPathDirection.Clockwise));
        return outer.Op(bite, SKPathOp.Difference) ?? Circle(1f);
    }

    private static SKPath Heart()
    {
        return Build(b =>
        {
            b.MoveTo(0, 1f);
            b.CubicTo(-1.3f, 0.1f, -0.9f, -1.1f, 0, -0.45f);
            b.CubicTo(0.9f, -1.1f, 1.3f, 0.1f, 0, 1f);
            b.Close();
        });
    }
}
