namespace AmtSharp.Core;

/// <summary>
/// The number format of the matrix-heavy work (linear layers, attention, the patch embedding). Master weights,
/// optimizer state, LayerNorm, softmax statistics and the loss are float32 either way (see <see cref="Models.Autocast"/>).
/// </summary>
public enum ComputePrecision
{
    /// <summary>Everything in float32.</summary>
    Fp32,

    /// <summary>Mixed precision: matrix products in bfloat16, everything else float32.</summary>
    Bf16,
}

/// <summary>Spellings of <see cref="ComputePrecision"/> on the command line, in YAML and in JSON records.</summary>
public static class ComputePrecisions
{
    public static string Name(this ComputePrecision p) => p == ComputePrecision.Bf16 ? "bf16" : "fp32";

    /// <summary>fp32 or bf16 (any case); false for anything else.</summary>
    public static bool TryParse(string text, out ComputePrecision precision)
    {
        switch (text.ToLowerInvariant())
        {
            case "fp32":
                precision = ComputePrecision.Fp32;
                return true;
            case "bf16":
                precision = ComputePrecision.Bf16;
                return true;
            default:
                precision = ComputePrecision.Fp32;
                return false;
        }
    }
}
