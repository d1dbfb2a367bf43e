namespace AmtSharp.Reporting;

/// <summary>How map values are brought to [0, 1] before colouring.</summary>
public enum MapScaling
{
    /// <summary>Use the values as they are (clamped to [0, 1]).</summary>
    Raw,

    /// <summary>Stretch each map so its minimum is 0 and its maximum 1 (a constant map becomes 0.5).</summary>
    MinMax,
}

/// <summary>Applies a <see cref="MapScaling"/>.</summary>
public static class MapScaler
{
    public static float[] Apply(float[] map, MapScaling scaling)
    {
        if (scaling == MapScaling.Raw)
        {
            return [.. map.Select(v => float.IsNaN(v) ? v : Math.Clamp(v, 0f, 1f))];
        }
        var finite = map.Where(float.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return [.. map.Select(_ => float.NaN)];
        }
        float min = finite.Min(), max = finite.Max();
        return max - min < 1e-12f
            ? [.. map.Select(v => float.IsFinite(v) ? 0.5f : float.NaN)]
            : [.. map.Select(v => float.IsFinite(v) ? (v - min) / (max - min) : float.NaN)];
    }
}
