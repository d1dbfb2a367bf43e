using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Benchmarks;

/// <summary>The four training steps the benchmark compares.</summary>
public enum BenchMethod
{
    /// <summary>MAE, random masking 0.75.</summary>
    Mae,

    /// <summary>MAE + AMT at the paper's r 0.45, t 0.40 (the AMT phase, after the random warm-up).</summary>
    MaeAmt,

    /// <summary>SimMIM, random masking 0.6 on mask units.</summary>
    SimMim,

    /// <summary>SimMIM + AMT at r 0.44, t 0.26.</summary>
    SimMimAmt,
}

/// <summary>The model shape shared by every method of one benchmark: the encoder and MAE's decoder.</summary>
/// <param name="Encoder">The ViT encoder.</param>
/// <param name="DecoderWidth">MAE decoder width (paper 512).</param>
/// <param name="DecoderDepth">MAE decoder blocks (paper 8).</param>
/// <param name="DecoderHeads">MAE decoder heads (paper 16).</param>
public sealed record BenchModel(VitConfig Encoder, int DecoderWidth = 512, int DecoderDepth = 8, int DecoderHeads = 16)
{
    /// <summary>"vit_small/16 @ 224, decoder 512×8".</summary>
    public string Describe(string? preset = null) =>
        $"{preset ?? $"ViT D{Encoder.Width}×{Encoder.Depth}"}/{Encoder.PatchSize} @ {Encoder.ImageSize} px, MAE decoder {DecoderWidth}×{DecoderDepth}";
}

/// <summary>Names, configurations and masking strategies of the benchmark methods.</summary>
public static class BenchMethods
{
    public static IReadOnlyList<BenchMethod> All { get; } = [BenchMethod.Mae, BenchMethod.MaeAmt, BenchMethod.SimMim, BenchMethod.SimMimAmt];

    /// <summary>The command-line name: mae, mae-amt, simmim, simmim-amt.</summary>
    public static string Name(this BenchMethod method) => method switch
    {
        BenchMethod.Mae => "mae",
        BenchMethod.MaeAmt => "mae-amt",
        BenchMethod.SimMim => "simmim",
        BenchMethod.SimMimAmt => "simmim-amt",
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    /// <summary>Parses a comma-separated list of method names; unknown names are a <see cref="ConfigException"/> for <paramref name="setting"/>.</summary>
    public static IReadOnlyList<BenchMethod> Parse(string list, string setting = "Methods")
    {
        var methods = new List<BenchMethod>();
        foreach (var raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = All.Where(m => m.Name() == raw.ToLowerInvariant()).ToList();
            if (match.Count == 0)
            {
                throw new ConfigException(setting, $"unknown method '{raw}' (expected {string.Join(", ", All.Select(Name))})");
            }
            if (!methods.Contains(match[0]))
            {
                methods.Add(match[0]);
            }
        }
        if (methods.Count == 0)
        {
            throw new ConfigException(setting, "needs at least one method");
        }
        return methods;
    }

    /// <summary>The pretraining configuration the method's step runs with (the presets of <see cref="PretrainConfig"/>).</summary>
    public static PretrainConfig Config(this BenchMethod method, BenchModel model, int batchSize, long seed = 0)
    {
        var baseConfig = method is BenchMethod.Mae or BenchMethod.MaeAmt
            ? PretrainConfig.MaeAmt(model.Encoder)
            : PretrainConfig.SimMimAmt(model.Encoder);
        baseConfig = baseConfig with
        {
            DecoderWidth = model.DecoderWidth,
            DecoderDepth = model.DecoderDepth,
            DecoderHeads = model.DecoderHeads,
            BatchSize = batchSize,
            Seed = seed,
            Epochs = 10,
        };
        return method switch
        {
            BenchMethod.Mae => baseConfig with { Amt = null, MaskRatio = 0.75 },
            BenchMethod.SimMim => baseConfig with { Amt = null, MaskRatio = 0.6 },
            _ => baseConfig,
        };
    }

    /// <summary>The strategy of the method's steady phase: random masking, or AMT's draw (after its warm-up).</summary>
    public static IMaskingStrategy Strategy(PretrainConfig config) => config.Amt is { } amt
        ? amt.Strategy(MimFactory.Grid(config))
        : MimFactory.RandomStrategy(config, config.MaskRatio);

    /// <summary>Compute accounting for the method's model.</summary>
    public static ComputeAccounting Accounting(PretrainConfig config) => config.Method == MimMethod.Mae
        ? ComputeAccounting.ForMae(config.MaeModel)
        : ComputeAccounting.ForSimMim(config.Encoder);
}
