using AmtSharp.Amt;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Experiments;

/// <summary>The shared budget of the CIFAR-10 comparison (one model, one seed, the same epochs for every arm).</summary>
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
    string Device = "cpu");

/// <summary>
/// The paper's comparison at CPU scale: MAE (random 0.75) vs MAE + AMT (0.45 / 0.40), SimMIM (random 0.6) vs
/// SimMIM + AMT (0.44 / 0.26), on 32 px images with 4 px patches, each with its own recipe (amt-method §11) but
/// a learning rate raised for the short schedule, and frozen evaluations (linear probe, kNN) with both poolings.
/// </summary>
public static class Cifar10Comparison
{
    public static VitConfig Encoder(ComparisonBudget b) => new(32, 4, 3, b.Width, b.Depth, b.Heads);

    public static IReadOnlyList<ComparisonArm> Arms(ComparisonBudget b)
    {
        var vit = Encoder(b);
        PretrainConfig Shared(PretrainConfig c) => c with
        {
            DecoderWidth = 128,
            DecoderDepth = 2,
            DecoderHeads = 4,
            Epochs = b.Epochs,
            BatchSize = b.BatchSize,
            WarmupEpochs = Math.Max(1, b.Epochs / 10.0),
            Seed = b.Seed,
            Workers = b.Workers,
            Device = b.Device,
            CheckpointEvery = 1,
            KeepCheckpoints = 2,
        };
        // Ten times the ImageNet base lr: the short schedule and small batch need it (the 1× rate barely moves
        // a 20-epoch run).
        var mae = Shared(PretrainConfig.MaeAmt(vit)) with { BaseLr = 1.5e-3 };
        var simmim = Shared(PretrainConfig.SimMimAmt(vit)) with { BaseLr = 2e-3 };
        return
        [
            new("mae", "MAE (random 0.75)", mae with { Amt = null, MaskRatio = 0.75 }),
            new("mae-amt", "MAE + AMT (0.45 / 0.40)", mae with { Amt = AmtConfig.ForMae() }),
            new("simmim", "SimMIM (random 0.6)", simmim with { Amt = null, MaskRatio = 0.6 }),
            new("simmim-amt", "SimMIM + AMT (0.44 / 0.26)", simmim with { Amt = AmtConfig.ForSimMim() }),
        ];
    }

    public static ComparisonEvaluation Evaluation(ComparisonBudget b) => new(
        new FrozenEvaluationConfig(
            new LinearProbeConfig(b.ProbeEpochs, Math.Max(1, b.ProbeEpochs / 10.0), 256, 4.0, Seed: b.Seed),
            new KnnConfig(), Workers: b.Workers),
        [FeaturePooling.Cls, FeaturePooling.MeanPatch]);
}
