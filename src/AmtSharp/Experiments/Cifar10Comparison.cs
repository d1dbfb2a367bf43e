using AmtSharp.Models.Vit;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Experiments;

/// <summary>
/// The shared budget of the CIFAR-10 comparison (one model, one seed, the same epochs for every arm).
/// <c>MaeNormPix</c>: the MAE arms reconstruct norm-pix targets (MAE's recipe); false = plain pixels (the official AMT command's).
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
/// The paper's comparison at CPU scale: MAE (random 0.75) vs MAE + AMT (0.45 / 0.40), SimMIM (random 0.6) vs
/// SimMIM + AMT (0.44 / 0.26), on 32 px images with 4 px patches, each from its `cifar-*` preset with the
/// budget's model and epochs, and frozen evaluations (linear probe, kNN) with both poolings.
/// </summary>
public static class Cifar10Comparison
{
    public static VitConfig Encoder(ComparisonBudget b) => new(32, 4, 3, b.Width, b.Depth, b.Heads);

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
        return
        [
            new("mae", "MAE (random 0.75)", Budgeted(PretrainPresets.CifarMae) with { NormPixLoss = b.MaeNormPix }),
            new("mae-amt", "MAE + AMT (0.45 / 0.40)", Budgeted(PretrainPresets.CifarMaeAmt) with { NormPixLoss = b.MaeNormPix }),
            new("simmim", "SimMIM (random 0.6)", Budgeted(PretrainPresets.CifarSimMim) with { BaseLr = SimMimBaseLr }),
            new("simmim-amt", "SimMIM + AMT (0.44 / 0.26)", Budgeted(PretrainPresets.CifarSimMimAmt) with { BaseLr = SimMimBaseLr }),
        ];
    }

    public static ComparisonEvaluation Evaluation(ComparisonBudget b) => new(
        new FrozenEvaluationConfig(
            new LinearProbeConfig(b.ProbeEpochs, Math.Max(1, b.ProbeEpochs / 10.0), 256, 4.0, Seed: b.Seed),
            new KnnConfig(), Workers: b.Workers),
        [FeaturePooling.Cls, FeaturePooling.MeanPatch]);
}
