using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Models.Mae;
using AmtSharp.Models.SimMim;
using AmtSharp.Models.Vit;

namespace AmtSharp.Training.Pretraining;

/// <summary>
/// Everything a pretraining run needs, resolved: one object, saved with every checkpoint and run folder.
/// <see cref="Amt"/> null means the method's plain random masking throughout.
/// </summary>
public sealed record PretrainConfig
{
    public MimMethod Method { get; init; } = MimMethod.Mae;

    public VitConfig Encoder { get; init; } = VitConfig.Tiny(32, 4);

    /// <summary>MAE decoder (ignored by SimMIM).</summary>
    public int DecoderWidth { get; init; } = 128;

    public int DecoderDepth { get; init; } = 2;

    public int DecoderHeads { get; init; } = 4;

    public bool NormPixLoss { get; init; } = true;

    /// <summary>SimMIM mask-unit side in pixels; 0 = 2p (or p when the grid is odd).</summary>
    public int MaskUnit { get; init; }

    /// <summary>Random mask ratio when AMT is off (MAE 0.75, SimMIM 0.6).</summary>
    public double MaskRatio { get; init; } = 0.75;

    public AmtConfig? Amt { get; init; } = AmtConfig.ForMae();

    public int Epochs { get; init; } = 10;

    public int BatchSize { get; init; } = 64;

    /// <summary>Gradient accumulation steps; the effective batch is BatchSize × this (an epoch's last, shorter group
    /// averages over the micro-batches it has: <see cref="Optim.GradientAccumulator"/>).</summary>
    public int Accumulation { get; init; } = 1;

    /// <summary>Base learning rate; absolute lr = base × effective batch / 256.</summary>
    public double BaseLr { get; init; } = 1.5e-4;

    public double MinLr { get; init; }

    /// <summary>Learning-rate warm-up in epochs (fractional allowed).</summary>
    public double WarmupEpochs { get; init; } = 1;

    public double WeightDecay { get; init; } = 0.05;

    public double Beta2 { get; init; } = 0.95;

    /// <summary>Gradient-norm clipping; 0 = off (MAE).</summary>
    public double ClipGrad { get; init; }

    /// <summary>RandomResizedCrop area-scale lower bound (MAE 0.2, SimMIM 0.67).</summary>
    public double CropScaleMin { get; init; } = 0.2;

    public long Seed { get; init; }

    public int Workers { get; init; } = 2;

    /// <summary>Checkpoint every N epochs (and always at the end); 0 = only at the end.</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Checkpoints kept on disk, newest first (0 = all).</summary>
    public int KeepCheckpoints { get; init; }

    public int PriorBatchSize { get; init; } = 128;

    /// <summary>"cpu" or "cuda[:i]".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Matrix products in float32 or bfloat16 (mixed precision; weights, optimizer state and checkpoints stay float32).</summary>
    public ComputePrecision Precision { get; init; }

    /// <summary>Unreadable images: fail (default) or skip.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>MAE + AMT preset: r 0.45, t 0.40, warm-up random 0.75, blr 1.5e-4, crop scale 0.2.</summary>
    public static PretrainConfig MaeAmt(VitConfig encoder) => new() { Encoder = encoder, Method = MimMethod.Mae, Amt = AmtConfig.ForMae() };

    /// <summary>SimMIM + AMT preset: r 0.44, t 0.26, warm-up random 0.6, crop scale 0.67, β₂ 0.999, clip 5, base lr 5e-5 per 256.</summary>
    public static PretrainConfig SimMimAmt(VitConfig encoder) => new()
    {
        Encoder = encoder,
        Method = MimMethod.SimMim,
        Amt = AmtConfig.ForSimMim(),
        MaskRatio = 0.6,
        CropScaleMin = 0.67,
        Beta2 = 0.999,
        ClipGrad = 5.0,
        BaseLr = 5e-5,                     // SimMIM: lr = 1e-4 × batch / 512, i.e. 5e-5 × batch / 256
    };

    public MaeConfig MaeModel => new(Encoder, DecoderWidth, DecoderDepth, DecoderHeads, 4.0, NormPixLoss);

    public SimMimConfig SimMimModel => new(Encoder, MaskUnit);

    public int EffectiveBatch => BatchSize * Accumulation;

    /// <summary>
    /// The same recipe over <paramref name="epochs"/> epochs: the learning-rate warm-up keeps its share of the run
    /// (docs/method.md#pretrain-mae: 40 of 400 epochs, i.e. 10 % for short runs), as AMT's start and refresh fractions already do.
    /// </summary>
    public PretrainConfig WithEpochs(int epochs) =>
        this with { Epochs = epochs, WarmupEpochs = Epochs > 0 ? WarmupEpochs * epochs / Epochs : WarmupEpochs };

    /// <summary>Refuses impossible settings with a message naming the setting.</summary>
    public PretrainConfig Validate(int datasetSize)
    {
        if (Method == MimMethod.Mae)
        {
            MaeModel.Validate();
        }
        else
        {
            SimMimModel.Validate();
        }
        Require(Epochs >= 1, nameof(Epochs), $"must be at least 1, got {Epochs}");
        Require(BatchSize >= 1, nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        Require(Accumulation >= 1, nameof(Accumulation), $"must be at least 1, got {Accumulation}");
        Require(BaseLr > 0 && double.IsFinite(BaseLr), nameof(BaseLr), $"must be positive, got {BaseLr}");
        Require(WarmupEpochs >= 0 && WarmupEpochs < Epochs, nameof(WarmupEpochs), $"must be in [0, epochs), got {WarmupEpochs}");
        Require(WeightDecay >= 0, nameof(WeightDecay), $"must be non-negative, got {WeightDecay}");
        Require(ClipGrad >= 0, nameof(ClipGrad), $"must be non-negative, got {ClipGrad}");
        Require(CropScaleMin > 0 && CropScaleMin <= 1, nameof(CropScaleMin), $"must be in (0, 1], got {CropScaleMin}");
        Require(Workers >= 1, nameof(Workers), $"must be at least 1, got {Workers}");
        Require(KeepCheckpoints >= 0, nameof(KeepCheckpoints), $"must be non-negative, got {KeepCheckpoints}");
        Require(CheckpointEvery >= 0, nameof(CheckpointEvery), $"must be non-negative, got {CheckpointEvery}");
        Require(PriorBatchSize >= 1, nameof(PriorBatchSize), $"must be at least 1, got {PriorBatchSize}");
        Require(datasetSize >= BatchSize, nameof(BatchSize), $"{BatchSize} is larger than the dataset ({datasetSize} images)");
        var strategyGrid = MimFactory.Grid(this);
        if (Amt is { } amt)
        {
            amt.Validate(strategyGrid.Cells, Epochs);
        }
        else
        {
            _ = MimFactory.RandomStrategy(this, MaskRatio);
        }
        return this;
    }

    private static void Require(bool ok, string setting, string message)
    {
        if (!ok)
        {
            throw new ConfigException(setting, message);
        }
    }
}
