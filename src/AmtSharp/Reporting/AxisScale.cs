using System.Globalization;

namespace AmtSharp.Reporting;

/// <summary>An axis range with tick positions and labels, linear or base-10 logarithmic.</summary>
public sealed class AxisScale
{
    private AxisScale(double min, double max, bool log, IReadOnlyList<(double Value, string Label)> ticks)
    {
        Min = min;
        Max = max;
        IsLog = log;
        Ticks = ticks;
    }

    /// <summary>Lower end in data units.</summary>
    public double Min { get; }

    /// <summary>Upper end in data units.</summary>
    public double Max { get; }

    public bool IsLog { get; }

    public IReadOnlyList<(double Value, string Label)> Ticks { get; }

    /// <summary>Position of <paramref name="value"/> as a fraction of the axis (0 at Min, 1 at Max); NaN if undrawable.</summary>
    public double Fraction(double value)
    {
        if (!double.IsFinite(value) || (IsLog && value <= 0))
        {
            return double.NaN;
        }
        return IsLog
            ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
            : (value - Min) / (Max - Min);
    }

    /// <summary>Whether <paramref name="value"/> can be placed on this kind of axis.</summary>
    public static bool Drawable(double value, bool log) => double.IsFinite(value) && (!log || value > 0);

    /// <summary>A linear axis covering the values with "nice" round ticks (about <paramref name="targetTicks"/>).</summary>
    public static AxisScale Linear(IEnumerable<double> values, int targetTicks = 6)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        double lo = finite.Length == 0 ? 0 : finite.Min();
        double hi = finite.Length == 0 ? 1 : finite.Max();
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi)))
        {
            double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double step = NiceNumber((hi - lo) / Math.Max(1, targetTicks - 1));
        double min = Math.Floor(lo / step) * step, max = Math.Ceiling(hi / step) * step;
        int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(step) + 1e-9));
        var ticks = new List<(double, string)>();
        for (int i = 0; min + i * step <= max + step * 1e-6; i++)
        {
            double v = min + i * step;
            if (Math.Abs(v) < step * 1e-9)
            {
                v = 0;
            }
            ticks.Add((v, FormatLinear(v, decimals)));
        }
        return new AxisScale(min, max, false, ticks);
    }

    /// <summary>A log axis from the decade below the smallest positive value to the decade above the largest.</summary>
    public static AxisScale Log(IEnumerable<double> values)
    {
        var positive = values.Where(v => Drawable(v, true)).ToArray();
        int lo = positive.Length == 0 ? 0 : (int)Math.Floor(Math.Log10(positive.Min()) + 1e-12);
        int hi = positive.Length == 0 ? 1 : (int)Math.Ceiling(Math.Log10(positive.Max()) - 1e-12);
        if (hi <= lo)
        {
            hi = lo + 1;
        }
        int decades = hi - lo;
        int every = Math.Max(1, (decades + 7) / 8);
        var ticks = new List<(double, string)>();
        for (int k = lo; k <= hi; k++)
        {
            if ((k - lo) % every == 0)
            {
                ticks.Add((Math.Pow(10, k), FormatLog(1, k)));
            }
            if (decades <= 2 && k < hi)
            {
                ticks.Add((2 * Math.Pow(10, k), FormatLog(2, k)));
                ticks.Add((5 * Math.Pow(10, k), FormatLog(5, k)));
            }
        }
        return new AxisScale(Math.Pow(10, lo), Math.Pow(10, hi), true, [.. ticks.OrderBy(t => t.Item1)]);
    }

    private static double NiceNumber(double rough)
    {
        double exponent = Math.Floor(Math.Log10(rough));
        double fraction = rough / Math.Pow(10, exponent);
        double nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        return nice * Math.Pow(10, exponent);
    }

    private static string FormatLinear(double v, int decimals) =>
        Math.Abs(v) >= 1e6 || decimals > 5
            ? v.ToString("0.##E0", CultureInfo.InvariantCulture)
            : v.ToString("F" + decimals, CultureInfo.InvariantCulture);

    private static string FormatLog(int mantissa, int exponent) =>
        exponent is >= -4 and <= 5
            ? (mantissa * Math.Pow(10, exponent)).ToString("0.####", CultureInfo.InvariantCulture)
            : $"{mantissa}E{exponent}";
}
