using AmtSharp.Amt;
using AmtSharp.Masking;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Experiments;

/// <summary>
/// The shared budget of the CIFAR-10 study (one model and the same epochs for every arm; <see cref="Seed"/> is the seed
/// the arms are built for). <c>MaeNormPix</c>: the MAE arms reconstruct norm-pix targets (MAE's recipe); false = plain
/// pixels (the official AMT command's).
/// </summary>
public sealed record ComparisonBudget(
    int Epochs = 20,
    int TrainImages = 10_000,
    int Width = 128,
    int Depth = 6,
    int Heads = 4,
    int BatchSize = 128,
    int ProbeEpochs = 50,
    long Seed = 0,
    int Workers = 2,
    string Device = "cpu",
    bool MaeNormPix = true);

/// <summary>
/// The study's arms at CPU scale, on 32 px images with 4 px patches, each from its <c>cifar-*</c> preset with the
/// budget's model and epochs. Two families, each with its baseline, AMT arms and a control that draws the same
/// masked / thrown / visible counts at random: the control separates "the attention chooses the patches" from
/// "fewer tokens are seen".
/// </summary>
public static class Cifar10Comparison
{
    /// <summary>Arm names in the order tables list them.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "mae", "mae-amt", "mae-random-throw", "mae-amt-official", "mae-amt-late", "mae-attention-only",
        "simmim", "simmim-amt", "simmim-random-throw",
    ];

    /// <summary>The arms that run when none are named: the original four-way comparison.</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = ["mae", "mae-amt", "simmim", "simmim-amt"];

    public static VitConfig Encoder(ComparisonBudget b) => new(32, 4, 3, b.Width, b.Depth, b.Heads);

    /// <summary>Every arm for the budget's seed.</summary>
    public static IReadOnlyList<ComparisonArm> Arms(ComparisonBudget b)
    {
        // Each arm is its CPU preset (PretrainPresets.Cifar*) with this budget's model, epochs and seed.
        PretrainConfig Budgeted(PretrainPreset preset) => preset.Config.WithEpochs(b.Epochs) with
        {
            Encoder = Encoder(b),
            BatchSize = b.BatchSize,
            Seed = b.Seed,
            Workers = b.Workers,
            Device = b.Device,
            PriorBatchSize = 128,
            CheckpointEvery = 1,
            KeepCheckpoints = 2,
        };
        // SimMIM at 4x the preset's rate: at 5e-4 a 20-epoch run barely moves (our choice, as the presets' 10x rule).
        const double SimMimBaseLr = 2e-3;
        var mae = Budgeted(PretrainPresets.CifarMae) with { NormPixLoss = b.MaeNormPix };
        var maeAmt = Budgeted(PretrainPresets.CifarMaeAmt) with { NormPixLoss = b.MaeNormPix };
        var simmim = Budgeted(PretrainPresets.CifarSimMim) with { BaseLr = SimMimBaseLr };
        // The official SimMIM-AMT warms up with random masking at r = 0.44; its control does the same.
        var simmimAmt = Budgeted(PretrainPresets.CifarSimMimAmt) with { BaseLr = SimMimBaseLr };
        simmimAmt = simmimAmt with { Amt = simmimAmt.Amt! with { WarmupMaskRatio = 0.44 } };
        string noPix = b.MaeNormPix ? "" : " --no-norm-pix";
        return
        [
            .. MaeFamily(mae, maeAmt, "--preset cifar-mae" + noPix, "--preset cifar-mae-amt" + noPix),
            new("simmim", "SimMIM (random 0.6)", simmim) { Flags = "--preset cifar-simmim --blr 0.002" },
            new("simmim-amt", "SimMIM + AMT (0.44 / 0.26)", simmimAmt)
            {
                Baseline = "simmim",
                Control = "simmim-random-throw",
                Flags = "--preset cifar-simmim-amt --blr 0.002 --warmup-mask-ratio 0.44",
            },
            new("simmim-random-throw", "SimMIM, random 0.44 + random throw 0.26",
                simmimAmt with { Amt = simmimAmt.Amt! with { Variant = AmtVariant.RandomWithThrowing } })
            {
                Baseline = "simmim",
                Flags = "--preset cifar-simmim-amt --blr 0.002 --warmup-mask-ratio 0.44 --amt-variant randomwiththrowing",
            },
        ];
    }

    /// <summary>
    /// The MAE family from a baseline recipe and its AMT recipe: the baseline, AMT, the random-throw control, AMT with
    /// the released code's prior crop, AMT from half the run, and attention-driven masking at MAE's ratio without
    /// throwing. <paramref name="maeFlags"/> and <paramref name="amtFlags"/> are the <c>amt pretrain</c> flags of the two.
    /// </summary>
    public static IReadOnlyList<ComparisonArm> MaeFamily(PretrainConfig mae, PretrainConfig maeAmt, string maeFlags, string amtFlags)
    {
        var amt = maeAmt.Amt!;
        return
        [
            new("mae", "MAE (random 0.75)", mae) { Flags = maeFlags },
            new("mae-amt", "MAE + AMT (0.45 / 0.40)", maeAmt) { Baseline = "mae", Control = "mae-random-throw", Flags = amtFlags },
            new("mae-random-throw", "MAE, random 0.45 + random throw 0.40", maeAmt with { Amt = amt with { Variant = AmtVariant.RandomWithThrowing } })
            {
                Baseline = "mae",
                Flags = amtFlags + " --amt-variant randomwiththrowing",
            },
            new("mae-amt-official", "MAE + AMT, official prior crop", maeAmt with { Amt = amt with { PriorCrop = PriorCrop.Official } })
            {
                Baseline = "mae",
                Control = "mae-random-throw",
                Flags = amtFlags + " --prior-crop official",
            },
            new("mae-amt-late", "MAE + AMT from half the run", maeAmt with { Amt = amt with { StartFraction = 0.5 } })
            {
                Baseline = "mae",
                Control = "mae-random-throw",
                Flags = amtFlags + " --amt-start-fraction 0.5",
            },
            new("mae-attention-only", "MAE, attention masking 0.75, no throw", maeAmt with { Amt = amt with { MaskRatio = 0.75, ThrowRatio = 0 } })
            {
                Baseline = "mae",
                Flags = amtFlags + " --mask-ratio 0.75 --throw-ratio 0",
            },
        ];
    }

    public static ComparisonEvaluation Evaluation(ComparisonBudget b) => new(
        new FrozenEvaluationConfig(
            new LinearProbeConfig(b.ProbeEpochs, Math.Max(1, b.ProbeEpochs / 10.0), 256, 4.0, Seed: b.Seed),
            new KnnConfig(), Workers: b.Workers, Converged: new ConvergedProbeConfig(Seed: b.Seed)),
        [FeaturePooling.Cls, FeaturePooling.MeanPatch]);
}
