using System.Globalization;
using System.Text.RegularExpressions;

namespace AmtSharp.Data.Transforms;

/// <summary>The operations RandAugment chooses from (timm's RandAugment set; Cutout is random erasing, elsewhere).</summary>
public enum RandAugmentOp
{
    AutoContrast,
    Equalize,
    Invert,
    Rotate,
    Posterize,
    Solarize,
    SolarizeAdd,
    Color,
    Contrast,
    Brightness,
    Sharpness,
    ShearX,
    ShearY,
    TranslateX,
    TranslateY,
}

/// <summary>One operation as drawn for one image: its magnitude after the noise and the argument that gives.</summary>
/// <param name="Op">The operation.</param>
/// <param name="Applied">False when the operation's coin said no (the image passes unchanged).</param>
/// <param name="Magnitude">After the noise and the clip (0 when not applied).</param>
/// <param name="Argument">Degrees, shear factor, translation as a share of the side, bits kept, threshold, amount
/// added or enhancement factor; 0 for operations without one.</param>
public sealed record RandAugmentStep(RandAugmentOp Op, bool Applied, double Magnitude, double Argument);

/// <summary>
/// RandAugment as timm builds it from a string like <c>rand-m9-mstd0.5-inc1</c> (the MAE and SimMIM fine-tuning
/// recipes): per image, <see cref="Layers"/> operations are drawn uniformly with replacement from the 15 of
/// <see cref="RandAugmentOp"/>; each is applied with probability <see cref="Probability"/> (0.5), at a magnitude drawn
/// from N(<see cref="Magnitude"/>, <see cref="MagnitudeStd"/>²) (uniform on [0, M] for an infinite std) and clipped
/// to [0, <see cref="MagnitudeMax"/>]. The magnitude maps to the operation's argument on timm's scale of 10; with
/// <see cref="Increasing"/> ("inc1") posterize, solarize and the enhancements get stronger with the magnitude. Signed
/// arguments (rotation, shear, translation, enhancement offsets) are negated with probability ½.
/// </summary>
public sealed partial record RandAugment(
    double Magnitude = 10,
    int Layers = 2,
    double MagnitudeStd = 0,
    double MagnitudeMax = RandAugment.LevelScale,
    bool Increasing = false,
    double Probability = 0.5)
{
    /// <summary>timm's magnitude scale: magnitude 10 is each operation's full strength.</summary>
    public const double LevelScale = 10;

    /// <summary>The value of the RandAugment setting that turns it off.</summary>
    public const string None = "none";

    private const string Setting = "RandAugment";

    /// <summary>
    /// Reads timm's format: <c>rand</c> followed by dash-separated sections <c>mM</c> (magnitude), <c>nN</c> (operations
    /// per image), <c>mstdS</c> (magnitude noise; above 100 means uniform), <c>mmaxX</c> (upper clip) and <c>incB</c>
    /// (increasing set, 0 or 1); or <c>none</c>, which gives null. Anything else is a <see cref="ConfigException"/>
    /// naming the RandAugment setting.
    /// </summary>
    public static RandAugment? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == None)
        {
            return null;
        }
        var sections = text.Split('-');
        if (sections[0] != "rand")
        {
            throw Problem(text, "must start with 'rand' (e.g. rand-m9-mstd0.5-inc1) or be 'none'");
        }
        var r = new RandAugment();
        foreach (string section in sections.Skip(1))
        {
            var m = Section().Match(section);
            if (!m.Success)
            {
                throw Problem(text, $"section '{section}' is not a key followed by a number (m9, n2, mstd0.5, mmax10, inc1)");
            }
            string key = m.Groups[1].Value, value = m.Groups[2].Value;
            double number = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
            r = key switch
            {
                "m" when number is >= 0 and <= 100 => r with { Magnitude = number },
                "n" when number is >= 1 and <= 16 && number == Math.Floor(number) => r with { Layers = (int)number },
                "mstd" => r with { MagnitudeStd = number > 100 ? double.PositiveInfinity : number },
                "mmax" when number > 0 => r with { MagnitudeMax = number },
                "inc" when number is 0 or 1 => r with { Increasing = number == 1 },
                "m" or "n" or "mmax" or "inc" => throw Problem(text, $"section '{section}': {Expected(key)}"),
                _ => throw Problem(text, $"unknown section '{section}' (known: m, n, mstd, mmax, inc)"),
            };
        }
        return r;
    }

    /// <summary>Checks a RandAugment value without keeping it.</summary>
    public static void Validate(string text) => Parse(text);

    /// <summary>The operations in the order timm lists them (its plain and increasing sets name the same 15).</summary>
    public static IReadOnlyList<RandAugmentOp> Ops { get; } = Enum.GetValues<RandAugmentOp>();

    /// <summary>Draws what happens to one image: the operations, their coins, magnitudes and arguments.</summary>
    public IReadOnlyList<RandAugmentStep> Draw(Random rng)
    {
        var ops = new RandAugmentOp[Layers];
        for (int i = 0; i < Layers; i++)
        {
            ops[i] = Ops[rng.Next(Ops.Count)];
        }
        var steps = new RandAugmentStep[Layers];
        for (int i = 0; i < Layers; i++)
        {
            if (Probability < 1 && rng.NextDouble() > Probability)
            {
                steps[i] = new RandAugmentStep(ops[i], false, 0, 0);
                continue;
            }
            double magnitude = double.IsPositiveInfinity(MagnitudeStd) ? rng.NextDouble() * Magnitude
                : MagnitudeStd > 0 ? Magnitude + MagnitudeStd * StandardNormal(rng)
                : Magnitude;
            magnitude = Math.Clamp(magnitude, 0, MagnitudeMax);
            steps[i] = new RandAugmentStep(ops[i], true, magnitude, Argument(ops[i], magnitude, rng));
        }
        return steps;
    }

    /// <summary>Draws and applies the operations to <paramref name="image"/>; <paramref name="fill"/> fills the area geometric ones bring in.</summary>
    public RgbImage Apply(RgbImage image, Random rng, Rgb24 fill)
    {
        foreach (var step in Draw(rng))
        {
            image = Apply(image, step, fill);
        }
        return image;
    }

    /// <summary>Applies one drawn step (unchanged when it was not applied).</summary>
    public static RgbImage Apply(RgbImage image, RandAugmentStep step, Rgb24 fill) => !step.Applied ? image : step.Op switch
    {
        RandAugmentOp.AutoContrast => PixelOps.AutoContrast(image),
        RandAugmentOp.Equalize => PixelOps.Equalize(image),
        RandAugmentOp.Invert => PixelOps.Invert(image),
        RandAugmentOp.Rotate => PixelOps.Rotate(image, step.Argument, fill),
        RandAugmentOp.Posterize => PixelOps.Posterize(image, (int)step.Argument),
        RandAugmentOp.Solarize => PixelOps.Solarize(image, (int)step.Argument),
        RandAugmentOp.SolarizeAdd => PixelOps.SolarizeAdd(image, (int)step.Argument),
        RandAugmentOp.Color => PixelOps.Color(image, step.Argument),
        RandAugmentOp.Contrast => PixelOps.Contrast(image, step.Argument),
        RandAugmentOp.Brightness => PixelOps.Brightness(image, step.Argument),
        RandAugmentOp.Sharpness => PixelOps.Sharpness(image, step.Argument),
        RandAugmentOp.ShearX => PixelOps.ShearX(image, step.Argument, fill),
        RandAugmentOp.ShearY => PixelOps.ShearY(image, step.Argument, fill),
        RandAugmentOp.TranslateX => PixelOps.TranslateX(image, step.Argument * image.Width, fill),
        RandAugmentOp.TranslateY => PixelOps.TranslateY(image, step.Argument * image.Height, fill),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step.Op, "unknown operation"),
    };

    /// <summary>
    /// timm's magnitude-to-argument mapping (level = magnitude / 10): rotate ±30·level degrees, shear ±0.3·level,
    /// translate ±0.45·level of the side, solarize-add int(110·level). Increasing set: posterize keeps 4 − int(4·level)
    /// bits, solarize from 256 − int(256·level), enhancements 1 ± 0.9·level (at least 0.1). Plain set: posterize
    /// int(4·level) bits, solarize from int(256·level), enhancements 0.1 + 1.8·level.
    /// </summary>
    public double Argument(RandAugmentOp op, double magnitude, Random rng)
    {
        double level = magnitude / LevelScale;
        double Signed(double v) => rng.NextDouble() > 0.5 ? -v : v;
        return op switch
        {
            RandAugmentOp.Rotate => Signed(30 * level),
            RandAugmentOp.ShearX or RandAugmentOp.ShearY => Signed(0.3 * level),
            RandAugmentOp.TranslateX or RandAugmentOp.TranslateY => Signed(0.45 * level),
            RandAugmentOp.SolarizeAdd => (int)(level * 110),
            RandAugmentOp.Posterize => Increasing ? 4 - (int)(level * 4) : (int)(level * 4),
            RandAugmentOp.Solarize => Increasing ? 256 - (int)(level * 256) : (int)(level * 256),
            RandAugmentOp.Color or RandAugmentOp.Contrast or RandAugmentOp.Brightness or RandAugmentOp.Sharpness =>
                Increasing ? Math.Max(0.1, 1.0 + Signed(0.9 * level)) : 0.1 + 1.8 * level,
            _ => 0,
        };
    }

    // Box-Muller: System.Random has no normal draws, and this keeps every draw on the caller's seeded stream.
    private static double StandardNormal(Random rng)
    {
        double u = 1.0 - rng.NextDouble(), v = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    private static string Expected(string key) => key switch
    {
        "m" => "the magnitude must be in [0, 100]",
        "n" => "the number of operations must be a whole number in [1, 16]",
        "mmax" => "the upper clip must be positive",
        _ => "must be inc0 or inc1",
    };

    private static ConfigException Problem(string text, string message) => new(Setting, $"'{text}': {message}");

    [GeneratedRegex(@"^([a-z]+)(\d+(?:\.\d+)?)$")]
    private static partial Regex Section();
}
