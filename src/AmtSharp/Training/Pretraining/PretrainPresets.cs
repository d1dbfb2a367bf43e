using AmtSharp.Amt;
using AmtSharp.Models.Vit;

namespace AmtSharp.Training.Pretraining;

/// <summary>A named starting point for pretraining: model and recipe. Any field can be overridden afterwards.</summary>
/// <param name="Name">What the user types after --preset.</param>
/// <param name="Description">One line for --list-presets.</param>
/// <param name="Config">The configuration the preset stands for.</param>
public sealed record PretrainPreset(string Name, string Description, PretrainConfig Config);

/// <summary>
/// The paper's recipes (docs/method.md#pretrain-mae, #pretrain-simmim: ViT-B/16 at 224 px, ImageNet) with and without AMT, CPU-sized
/// 32 px recipes for CIFAR-style data, and the demo's. One place, so the demo and `amt pretrain --preset demo`
/// cannot drift apart.
/// </summary>
public static class PretrainPresets
{
    /// <summary>MAE + AMT as in the paper: r 0.45, t 0.40, 400 epochs, effective batch 4096, blr 1.5e-4, warm-up 40.</summary>
    public static PretrainPreset PaperMaeAmt { get; } = new("paper-mae-amt",
        "MAE + AMT, ViT-B/16 at 224 px, ImageNet recipe: r 0.45, t 0.40, 400 epochs, batch 128 x 32 = 4096, blr 1.5e-4, decoder 512 x 8",
        PaperMaeRecipe(PretrainConfig.MaeAmt(VitConfig.Base(224, 16))));

    /// <summary>The MAE baseline for <see cref="PaperMaeAmt"/>: random 0.75 masking, same budget.</summary>
    public static PretrainPreset PaperMae { get; } = new("paper-mae",
        "MAE baseline (random 0.75 masking) with the paper-mae-amt recipe and budget",
        PaperMaeRecipe(PretrainConfig.MaeAmt(VitConfig.Base(224, 16))) with { Amt = null, MaskRatio = 0.75 });

    /// <summary>SimMIM + AMT as in the paper: r 0.44, t 0.26 on 32 px units, 200 epochs, batch 2048.</summary>
    public static PretrainPreset PaperSimMimAmt { get; } = new("paper-simmim-amt",
        "SimMIM + AMT, ViT-B/16 at 224 px, ImageNet recipe: r 0.44, t 0.26 on 32 px units, 200 epochs, batch 128 x 16 = 2048, lr 1e-4 x batch/512",
        PaperSimMimRecipe(PretrainConfig.SimMimAmt(VitConfig.Base(224, 16))));

    /// <summary>The SimMIM baseline for <see cref="PaperSimMimAmt"/>: random 0.6 masking, same budget.</summary>
    public static PretrainPreset PaperSimMim { get; } = new("paper-simmim",
        "SimMIM baseline (random 0.6 masking) with the paper-simmim-amt recipe and budget",
        PaperSimMimRecipe(PretrainConfig.SimMimAmt(VitConfig.Base(224, 16))) with { Amt = null, MaskRatio = 0.6 });

    /// <summary>MAE + AMT sized for a CPU: 32 px images, 4 px patches, a 6-block ViT-Tiny.</summary>
    public static PretrainPreset CifarMaeAmt { get; } = new("cifar-mae-amt",
        "MAE + AMT for 32 px images on a CPU: ViT-Tiny/4 with 6 blocks, decoder 128 x 2, 100 epochs, batch 128, blr 1.5e-3",
        CifarMaeRecipe(PretrainConfig.MaeAmt(CifarEncoder)));

    /// <summary>The MAE baseline for <see cref="CifarMaeAmt"/>.</summary>
    public static PretrainPreset CifarMae { get; } = new("cifar-mae",
        "MAE baseline (random 0.75 masking) with the cifar-mae-amt recipe",
        CifarMaeRecipe(PretrainConfig.MaeAmt(CifarEncoder)) with { Amt = null, MaskRatio = 0.75 });

    /// <summary>SimMIM + AMT sized for a CPU.</summary>
    public static PretrainPreset CifarSimMimAmt { get; } = new("cifar-simmim-amt",
        "SimMIM + AMT for 32 px images on a CPU: ViT-Tiny/4 with 6 blocks, 8 px mask units, 100 epochs, batch 128, blr 5e-4",
        CifarSimMimRecipe(PretrainConfig.SimMimAmt(CifarEncoder)));

    /// <summary>The SimMIM baseline for <see cref="CifarSimMimAmt"/>.</summary>
    public static PretrainPreset CifarSimMim { get; } = new("cifar-simmim",
        "SimMIM baseline (random 0.6 masking) with the cifar-simmim-amt recipe",
        CifarSimMimRecipe(PretrainConfig.SimMimAmt(CifarEncoder)) with { Amt = null, MaskRatio = 0.6 });

    /// <summary>
    /// The recipe docs/prior-on-object.md measures (the demo's until the demo moved to the plain shapes): MAE + AMT with
    /// a 96-wide, 4-block ViT on the cluttered synthetic 32 px shapes, 40 epochs.
    /// </summary>
    public static PretrainPreset PriorOnObject { get; } = new("prior-on-object",
        "The recipe of docs/prior-on-object.md: MAE + AMT, ViT 96 wide x 4 blocks at 32/4 px, decoder 64 x 1, pixel targets, 40 epochs, batch 64, blr 1.5e-3",
        PretrainConfig.MaeAmt(new VitConfig(32, 4, 3, Width: 96, Depth: 4, Heads: 3)) with
        {
            DecoderWidth = 64,
            DecoderDepth = 1,
            DecoderHeads = 2,
            // Pixel targets, as the official AMT command uses: with norm-pix, 40 epochs end with the [CLS] attention (the
            // prior) on the background and a weaker probe (docs/prior-on-object.md).
            NormPixLoss = false,
            Epochs = 40,
            BatchSize = 64,
            BaseLr = 1.5e-3,
            WarmupEpochs = 4,
            CheckpointEvery = 0,
        });

    /// <summary>
    /// `amt demo`: MAE + AMT sized so that, in about a minute and a half on 2 cores, the encoder learns the plain synthetic
    /// shapes well beyond its initialisation (README). Checkpoints every epoch, so an interrupted demo resumes.
    /// </summary>
    public static PretrainPreset Demo { get; } = new("demo",
        "The demo's MAE + AMT: ViT 96 wide x 4 blocks at 32/4 px, decoder 64 x 1, norm-pix targets, AMT from half the run, 9 epochs, batch 64, blr 1.5e-3 (train on the plain shapes: amt demo, 6,000 images)",
        PretrainConfig.MaeAmt(new VitConfig(32, 4, 3, Width: 96, Depth: 4, Heads: 3)) with
        {
            DecoderWidth = 64,
            DecoderDepth = 1,
            DecoderHeads = 2,
            // One object on a flat background: AMT hides most of it (r + t = 0.85, the most attended first), so the
            // encoder first learns the shapes from random masking; with AMT from the start the probe did not rise (README).
            Amt = AmtConfig.ForMae() with { StartFraction = 0.5 },
            NormPixLoss = true,
            Epochs = 9,
            BatchSize = 64,
            BaseLr = 1.5e-3,
            WarmupEpochs = 0.9,
            CheckpointEvery = 1,
        });

    /// <summary>MAE + AMT for 224 px folders of a few thousand images (Imagenette-like) on a CPU: a ViT-Small/16.</summary>
    public static PretrainPreset Small224 { get; } = new("small-224",
        "MAE + AMT for 224 px folders (e.g. Imagenette) on a CPU: ViT-S/16 (384 x 12, 6 heads), decoder 256 x 4, 100 epochs, batch 64, blr 1.5e-3",
        CifarMaeRecipe(PretrainConfig.MaeAmt(VitConfig.Small(224, 16))) with
        {
            // A quarter of the paper's decoder, in proportion to ViT-S's half width: the decoder is the cost a CPU feels.
            DecoderWidth = 256,
            DecoderDepth = 4,
            DecoderHeads = 8,
            BatchSize = 64,
            PriorBatchSize = 64,
        });

    /// <summary>Every preset, in the order --list-presets shows them.</summary>
    public static IReadOnlyList<PretrainPreset> All { get; } =
        [PaperMaeAmt, PaperMae, PaperSimMimAmt, PaperSimMim, CifarMaeAmt, CifarMae, CifarSimMimAmt, CifarSimMim, Small224, Demo, PriorOnObject];

    public static IReadOnlyList<string> Names { get; } = All.Select(p => p.Name).ToArray();

    /// <summary>The preset a run starts from when none is named: the CPU-sized one with AMT for the method.</summary>
    public static PretrainPreset DefaultFor(MimMethod method) => method == MimMethod.SimMim ? CifarSimMimAmt : CifarMaeAmt;

    /// <summary>Looks a preset up by name; an unknown name is a <see cref="ConfigException"/> listing the known ones.</summary>
    public static PretrainPreset Get(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new ConfigException("Preset", $"unknown preset '{name}' (expected one of {string.Join(", ", Names)})");

    // ViT-Tiny's width and heads, half its depth: the 32 px presets must train in hours on a few cores.
    private static VitConfig CifarEncoder => VitConfig.Tiny(32, 4) with { Depth = 6 };

    // docs/method.md#pretrain-mae. The AMT README reaches 4096 as 128 per GPU × 8 accumulation steps × 4 GPUs; one device accumulates 32.
    // MAE saves every 20 epochs; the prior pass used 256 images per GPU (docs/method.md#prior-refresh).
    private static PretrainConfig PaperMaeRecipe(PretrainConfig c) => c with
    {
        DecoderWidth = 512,
        DecoderDepth = 8,
        DecoderHeads = 16,
        NormPixLoss = true,
        Epochs = 400,
        BatchSize = 128,
        Accumulation = 32,
        BaseLr = 1.5e-4,
        MinLr = 0,
        WarmupEpochs = 40,
        WeightDecay = 0.05,
        Beta2 = 0.95,
        ClipGrad = 0,
        CropScaleMin = 0.2,
        PriorBatchSize = 256,
        CheckpointEvery = 20,
    };

    // docs/method.md#pretrain-simmim. SimMIM's lr is 1e-4 × batch / 512, i.e. 5e-5 per 256 images; its minimum 5e-6 × batch / 512 is absolute
    // here (2e-5 at 2048). SimMIM's warm-up starts from 5e-7 × batch / 512 rather than 0, a negligible difference.
    private static PretrainConfig PaperSimMimRecipe(PretrainConfig c) => c with
    {
        MaskUnit = 32,
        Epochs = 200,
        BatchSize = 128,
        Accumulation = 16,
        BaseLr = 5e-5,
        MinLr = 5e-6 * 2048 / 512,
        WarmupEpochs = 10,
        WeightDecay = 0.05,
        Beta2 = 0.999,
        ClipGrad = 5.0,
        CropScaleMin = 0.67,
        PriorBatchSize = 256,
        CheckpointEvery = 20,
    };

    // CPU recipes: the paper's optimiser with 10× its base lr, as the demo uses at batch 64: scaled linearly from
    // 4096 (MAE) or 2048 (SimMIM) down to 128, the step would be tiny for a 100-epoch run.
    private static PretrainConfig CifarMaeRecipe(PretrainConfig c) => c with
    {
        DecoderWidth = 128,
        DecoderDepth = 2,
        DecoderHeads = 4,
        Epochs = 100,
        BatchSize = 128,
        BaseLr = 1.5e-3,
        WarmupEpochs = 10,
        PriorBatchSize = 256,
    };

    private static PretrainConfig CifarSimMimRecipe(PretrainConfig c) => c with
    {
        Epochs = 100,
        BatchSize = 128,
        BaseLr = 5e-4,
        WarmupEpochs = 10,
        PriorBatchSize = 256,
    };
}
