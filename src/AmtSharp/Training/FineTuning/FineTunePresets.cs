using AmtSharp.Models.Vit;

namespace AmtSharp.Training.FineTuning;

/// <summary>A named fine-tuning recipe; any field can be overridden afterwards.</summary>
/// <param name="Name">What the user types after --preset.</param>
/// <param name="Description">One line for --list-presets.</param>
/// <param name="Config">The configuration the preset stands for (the encoder is the --from-scratch shape; a checkpoint replaces it).</param>
public sealed record FineTunePreset(string Name, string Description, FineTuneConfig Config);

/// <summary>
/// The fine-tuning recipes of the two papers the AMT paper builds on (docs/method.md#fine-tuning: MAE as the AMT README runs it,
/// SimMIM as the AMT-SimMIM config), and the MAE recipe scaled to a CPU and 32 px images, which <c>amt finetune</c>
/// starts from when no preset is named.
/// </summary>
public static class FineTunePresets
{
    /// <summary>timm's RandAugment of both recipes: magnitude 9, noise std 0.5, the increasing operation set.</summary>
    public const string RecipeRandAugment = "rand-m9-mstd0.5-inc1";

    /// <summary>
    /// The MAE recipe scaled to a CPU: the pretraining presets' ViT-Tiny/4 with 6 blocks at 32 px instead of ViT-B/16
    /// at 224, 50 epochs (warm-up 5) instead of 100, batch 128 instead of 1024 (the lr follows blr × batch / 256);
    /// every other setting is the recipe's.
    /// </summary>
    public static FineTunePreset Cifar { get; } = new("finetune-cifar",
        "MAE fine-tuning recipe scaled to a CPU: ViT-Tiny/4 with 6 blocks at 32 px, 50 epochs (warm-up 5), batch 128, blr 1e-3, layer decay 0.75, " +
        "drop path 0.1, RandAugment m9 mstd0.5 inc1, reprob 0.25, mixup 0.8 / cutmix 1.0, smoothing 0.1",
        MaeRecipe(new FineTuneConfig()) with
        {
            Encoder = VitConfig.Tiny(32, 4) with { Depth = 6 },
            Epochs = 50,
            WarmupEpochs = 5,
            BatchSize = 128,
        });

    /// <summary>MAE's ViT-B/16 fine-tuning as the AMT README runs it: 100 epochs, effective batch 1024, blr 1e-3, layer decay 0.75.</summary>
    public static FineTunePreset PaperMae { get; } = new("finetune-paper-mae",
        "MAE's ViT-B/16 recipe (the AMT README's): 224 px, 100 epochs (warm-up 5), batch 128 x 8 = 1024, blr 1e-3, layer decay 0.75, " +
        "drop path 0.1, RandAugment m9 mstd0.5 inc1, reprob 0.25, mixup 0.8 / cutmix 1.0, smoothing 0.1, wd 0.05",
        MaeRecipe(new FineTuneConfig()) with
        {
            Encoder = VitConfig.Base(224, 16),
            Epochs = 100,
            WarmupEpochs = 5,
            BatchSize = 128,
            Accumulation = 8,
        });

    /// <summary>
    /// SimMIM's ViT-B/16 fine-tuning (the AMT-SimMIM config): 100 epochs, warm-up 20, lr 1.25e-3 × batch / 512 (blr
    /// 6.25e-4 per 256), min lr 2.5e-7 × batch / 512, layer decay 0.65, clip 5, [CLS] classification. SimMIM's colour
    /// jitter 0.4 is left out: timm's transform ignores it when RandAugment is on.
    /// </summary>
    public static FineTunePreset PaperSimMim { get; } = new("finetune-paper-simmim",
        "SimMIM's ViT-B/16 recipe: 224 px, 100 epochs (warm-up 20), batch 128 x 8 = 1024, lr 1.25e-3 x batch/512, layer decay 0.65, " +
        "drop path 0.1, clip 5, [CLS] pooling, RandAugment m9 mstd0.5 inc1, reprob 0.25, mixup 0.8 / cutmix 1.0, smoothing 0.1",
        MaeRecipe(new FineTuneConfig()) with
        {
            Encoder = VitConfig.Base(224, 16),
            Epochs = 100,
            WarmupEpochs = 20,
            BatchSize = 128,
            Accumulation = 8,
            BaseLr = 1.25e-3 / 2,                 // lr = 1.25e-3 × batch / 512 = 6.25e-4 × batch / 256
            MinLr = 2.5e-7 * 1024 / 512,          // SimMIM scales its minimum with the batch too
            LayerDecay = 0.65,
            ClipGrad = 5.0,
            Pooling = VitPooling.Cls,
        });

    /// <summary>Every preset, in the order --list-presets shows them.</summary>
    public static IReadOnlyList<FineTunePreset> All { get; } = [Cifar, PaperMae, PaperSimMim];

    public static IReadOnlyList<string> Names { get; } = All.Select(p => p.Name).ToArray();

    /// <summary>The preset a run starts from when none is named.</summary>
    public static FineTunePreset Default => Cifar;

    /// <summary>Looks a preset up by name; an unknown name is a <see cref="ConfigException"/> listing the known ones.</summary>
    public static FineTunePreset Get(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new ConfigException("Preset", $"unknown preset '{name}' (expected one of {string.Join(", ", Names)})");

    // docs/method.md#fine-tuning, the settings both papers share with MAE's.
    private static FineTuneConfig MaeRecipe(FineTuneConfig c) => c with
    {
        BaseLr = 1e-3,
        MinLr = 1e-6,
        LayerDecay = 0.75,
        WeightDecay = 0.05,
        Beta2 = 0.999,
        DropPath = 0.1,
        LabelSmoothing = 0.1,
        MixupAlpha = 0.8,
        CutmixAlpha = 1.0,
        MixProbability = 1.0,
        SwitchProbability = 0.5,
        Pooling = VitPooling.GlobalAverage,
        ClipGrad = 0,
        CropScaleMin = 0.08,
        HeadInitStd = 2e-5,
        RandAugment = RecipeRandAugment,
        ReProb = 0.25,
    };
}
