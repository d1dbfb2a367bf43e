using AmtSharp.Data.Transforms;
using AmtSharp.Models.Vit;

namespace AmtSharp.Training.FineTuning;

/// <summary>
/// End-to-end fine-tuning settings. Defaults follow the AMT README's MAE recipe (docs/method.md#fine-tuning), scaled to a CPU:
/// AdamW β (0.9, 0.999), weight decay 0.05, blr 1e-3 (lr = blr × batch / 256), cosine to 1e-6, layer-wise lr decay
/// 0.75, drop path 0.1, mixup 0.8 / cutmix 1.0 (switch 0.5, per batch), label smoothing 0.1, global-average pooling
/// with <c>fc_norm</c>, head init N(0, 2e-5). Only epochs, warm-up and batch are smaller (paper: 100 / 5 / 1024).
/// The augmentation is RandomResizedCrop (scale 0.08–1) + flip; RandAugment and random erasing (the recipe's
/// <c>rand-m9-mstd0.5-inc1</c> and 0.25) are off here and on in the presets (<see cref="FineTunePresets"/>).
/// </summary>
public sealed record FineTuneConfig
{
    /// <summary>Encoder shape; taken from the pretrained encoder when there is one (training from scratch uses this).</summary>
    public VitConfig Encoder { get; init; } = VitConfig.Tiny(32, 4);

    /// <summary>Where the pretrained encoder came from (a checkpoint path); null = trained from random initialisation.</summary>
    public string? Pretrained { get; init; }

    public int Epochs { get; init; } = 20;

    /// <summary>Learning-rate warm-up in epochs (fractional allowed).</summary>
    public double WarmupEpochs { get; init; } = 2;

    public int BatchSize { get; init; } = 64;

    /// <summary>Gradient accumulation: an optimizer step every this many batches (effective batch = batch × accumulation); an
    /// epoch's last, shorter group averages over the batches it has (<see cref="Optim.GradientAccumulator"/>).</summary>
    public int Accumulation { get; init; } = 1;

    /// <summary>Images per optimizer step.</summary>
    public int EffectiveBatch => BatchSize * Accumulation;

    /// <summary>Base learning rate; absolute lr = base × effective batch / 256.</summary>
    public double BaseLr { get; init; } = 1e-3;

    public double MinLr { get; init; } = 1e-6;

    /// <summary>Layer-wise lr decay: block k's lr is scaled by decay^(depth − k), the head's by 1 (docs/method.md#layer-decay).</summary>
    public double LayerDecay { get; init; } = 0.75;

    public double WeightDecay { get; init; } = 0.05;

    public double Beta2 { get; init; } = 0.999;

    /// <summary>Stochastic-depth rate of the last block (linear from 0 at the first); 0 = off.</summary>
    public double DropPath { get; init; } = 0.1;

    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Mixup's Beta(α, α); 0 = no mixup.</summary>
    public double MixupAlpha { get; init; } = 0.8;

    /// <summary>CutMix's Beta(α, α); 0 = no cutmix.</summary>
    public double CutmixAlpha { get; init; } = 1.0;

    /// <summary>Probability that a batch is mixed at all.</summary>
    public double MixProbability { get; init; } = 1.0;

    /// <summary>With both enabled: probability that a mixed batch uses cutmix rather than mixup.</summary>
    public double SwitchProbability { get; init; } = 0.5;

    public VitPooling Pooling { get; init; } = VitPooling.GlobalAverage;

    /// <summary>Gradient-norm clipping; 0 = off (MAE's fine-tuning default).</summary>
    public double ClipGrad { get; init; }

    /// <summary>RandomResizedCrop area-scale lower bound (0.08 for fine-tuning).</summary>
    public double CropScaleMin { get; init; } = 0.08;

    /// <summary>RandAugment in timm's format (e.g. <c>rand-m9-mstd0.5-inc1</c>), applied to each training crop; "none" = off.</summary>
    public string RandAugment { get; init; } = Data.Transforms.RandAugment.None;

    /// <summary>Random-erasing probability per image (timm's pixel mode, after the mix); 0 = off.</summary>
    public double ReProb { get; init; }

    /// <summary>Standard deviation of the new head's weights.</summary>
    public double HeadInitStd { get; init; } = 2e-5;

    /// <summary>Evaluate on the test split every N epochs (and always after the last); 0 = only after the last.</summary>
    public int EvalEvery { get; init; } = 1;

    public int EvalBatchSize { get; init; } = 128;

    public long Seed { get; init; }

    public int Workers { get; init; } = 2;

    /// <summary>"cpu" or "cuda[:i]".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Keep only the newest N checkpoints (one is written after every epoch); 0 = keep all.</summary>
    public int KeepCheckpoints { get; init; }

    /// <summary>Unreadable training images: fail (default) or skip.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Refuses impossible settings with a message naming the setting.</summary>
    public FineTuneConfig Validate(int trainImages)
    {
        Encoder.Validate();
        Require(Epochs >= 1, nameof(Epochs), $"must be at least 1, got {Epochs}");
        Require(WarmupEpochs >= 0 && WarmupEpochs < Epochs, nameof(WarmupEpochs), $"must be in [0, epochs), got {WarmupEpochs}");
        Require(BatchSize >= 1, nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        Require(trainImages >= BatchSize, nameof(BatchSize), $"{BatchSize} is larger than the training set ({trainImages} images)");
        Require(Accumulation >= 1, nameof(Accumulation), $"must be at least 1, got {Accumulation}");
        Require(BaseLr > 0 && double.IsFinite(BaseLr), nameof(BaseLr), $"must be positive, got {BaseLr}");
        Require(MinLr >= 0 && MinLr < BaseLr * EffectiveBatch / 256.0, nameof(MinLr), $"must be in [0, peak lr {BaseLr * EffectiveBatch / 256.0:G3}), got {MinLr}");
        Require(LayerDecay > 0 && LayerDecay <= 1, nameof(LayerDecay), $"must be in (0, 1], got {LayerDecay}");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), $"must be non-negative, got {WeightDecay}");
        Require(Beta2 > 0 && Beta2 < 1, nameof(Beta2), $"must be in (0, 1), got {Beta2}");
        Require(DropPath >= 0 && DropPath < 1, nameof(DropPath), $"must be in [0, 1), got {DropPath}");
        Require(LabelSmoothing >= 0 && LabelSmoothing < 1, nameof(LabelSmoothing), $"must be in [0, 1), got {LabelSmoothing}");
        Require(MixupAlpha >= 0 && double.IsFinite(MixupAlpha), nameof(MixupAlpha), $"must be non-negative (0 = off), got {MixupAlpha}");
        Require(CutmixAlpha >= 0 && double.IsFinite(CutmixAlpha), nameof(CutmixAlpha), $"must be non-negative (0 = off), got {CutmixAlpha}");
        Require(MixProbability is >= 0 and <= 1, nameof(MixProbability), $"must be in [0, 1], got {MixProbability}");
        Require(SwitchProbability is >= 0 and <= 1, nameof(SwitchProbability), $"must be in [0, 1], got {SwitchProbability}");
        Require(Enum.IsDefined(Pooling), nameof(Pooling), $"unknown pooling {Pooling}");
        Require(ClipGrad >= 0, nameof(ClipGrad), $"must be non-negative, got {ClipGrad}");
        Require(CropScaleMin > 0 && CropScaleMin <= 1, nameof(CropScaleMin), $"must be in (0, 1], got {CropScaleMin}");
        Data.Transforms.RandAugment.Validate(RandAugment);
        Require(ReProb is >= 0 and <= 1, nameof(ReProb), $"must be in [0, 1], got {ReProb}");
        Require(KeepCheckpoints >= 0, nameof(KeepCheckpoints), $"must be non-negative, got {KeepCheckpoints}");
        Require(HeadInitStd >= 0 && double.IsFinite(HeadInitStd), nameof(HeadInitStd), $"must be non-negative, got {HeadInitStd}");
        Require(EvalEvery >= 0, nameof(EvalEvery), $"must be non-negative, got {EvalEvery}");
        Require(EvalBatchSize >= 1, nameof(EvalBatchSize), $"must be at least 1, got {EvalBatchSize}");
        Require(Workers >= 1, nameof(Workers), $"must be at least 1, got {Workers}");
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
