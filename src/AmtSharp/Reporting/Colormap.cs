namespace AmtSharp.Reporting;

/// <summary>
/// A colour map: piecewise-linear interpolation between control points (position in [0, 1], colour).
/// The built-in maps are hand-picked approximations of matplotlib's viridis, inferno and jet.
/// </summary>
public sealed class Colormap
{
    private readonly (float Position, Rgb Color)[] _points;

    public Colormap(string name, IReadOnlyList<(float Position, Rgb Color)> points)
    {
        if (points.Count < 2)
        {
            throw new ArgumentException("a colour map needs at least two control points", nameof(points));
        }
        for (int i = 0; i < points.Count; i++)
        {
            bool ordered = i == 0 || points[i].Position > points[i - 1].Position;
            if (!ordered || points[i].Position < 0 || points[i].Position > 1)
            {
                throw new ArgumentException("control points must be strictly increasing positions in [0, 1]", nameof(points));
            }
        }
        if (points[0].Position != 0 || points[^1].Position != 1)
        {
            throw new ArgumentException("control points must start at 0 and end at 1", nameof(points));
        }
        Name = name;
        _points = [.. points];
    }

    public string Name { get; }

    /// <summary>Colour at <paramref name="t"/>, clamped to [0, 1]; NaN gives mid grey.</summary>
    public Rgb Map(float t)
    {
        if (float.IsNaN(t))
        {
            return new Rgb(0.5f, 0.5f, 0.5f);
        }
        t = Math.Clamp(t, 0f, 1f);
        int i = 1;
        while (i < _points.Length - 1 && _points[i].Position < t)
        {
            i++;
        }
        var (p0, c0) = _points[i - 1];
        var (p1, c1) = _points[i];
        return Rgb.Lerp(c0, c1, (t - p0) / (p1 - p0));
    }

    /// <summary>Dark violet → blue → green → yellow; luminance increases monotonically.</summary>
    public static Colormap Viridis { get; } = Even("viridis",
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (144, 215, 67), (253, 231, 37));

    /// <summary>Black → purple → red → orange → pale yellow; luminance increases monotonically.</summary>
    public static Colormap Inferno { get; } = Even("inferno",
        (0, 0, 4), (40, 11, 84), (87, 16, 110), (137, 34, 106), (188, 55, 84),
        (229, 92, 48), (249, 142, 9), (246, 215, 70), (252, 255, 164));

    /// <summary>Dark blue → blue → cyan → yellow → red → dark red (not monotone in luminance).</summary>
    public static Colormap Jet { get; } = new("jet",
    [
        (0f, Rgb.FromBytes(0, 0, 128)), (0.125f, Rgb.FromBytes(0, 0, 255)), (0.375f, Rgb.FromBytes(0, 255, 255)),
        (0.625f, Rgb.FromBytes(255, 255, 0)), (0.875f, Rgb.FromBytes(255, 0, 0)), (1f, Rgb.FromBytes(128, 0, 0)),
    ]);

    private static Colormap Even(string name, params (byte R, byte G, byte B)[] colors) =>
        new(name, [.. colors.Select((c, i) => ((float)i / (colors.Length - 1), Rgb.FromBytes(c.R, c.G, c.B)))]);
}
