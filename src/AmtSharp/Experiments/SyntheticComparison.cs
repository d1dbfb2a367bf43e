using AmtSharp.Data;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Pretraining;

namespace AmtSharp.Experiments;

/// <summary>
/// The synthetic part of the study's budget: the embedded shapes, whose object masks say where each object is, with a
/// model and run small enough that every MAE-family arm and seed costs minutes. The test split has half as many
/// images as the training split.
/// </summary>
public sealed record SyntheticBudget(int Epochs = 24, int TrainImages = 2000, int Width = 96, int Depth = 4,
    int Heads = 3, int BatchSize = 64, int ProbeEpochs = 50, long Seed = 0, int Workers = 2, string Device = "cpu")
{
    public int TestImages => Math.Max(2, TrainImages / 2);
}

/// <summary>
/// The MAE family on the synthetic shapes, where the study can ask what CIFAR-10 cannot: does the prior land on the
/// object, and do the patch tokens know where the object is (a dense probe)? The recipe is <c>cifar-mae-amt</c> with a
/// smaller model and pixel targets: with norm-pix targets a flat object interior normalises to noise and the prior
/// settles on the background (docs/prior-on-object.md).
/// </summary>
public static class SyntheticComparison
{
    /// <summary>The training and test images: the same for every seed, so arms differ only in what seeds control.</summary>
    public static DatasetSpec Data(SyntheticBudget b) => new(DatasetFormat.Synthetic, null, b.TrainImages, 32, Seed: 0, TestCount: b.TestImages);

    public static IReadOnlyList<ComparisonArm> Arms(SyntheticBudget b)
    {
        var maeAmt = PretrainPresets.CifarMaeAmt.Config.WithEpochs(b.Epochs) with
        {
            Encoder = new VitConfig(32, 4, 3, b.Width, b.Depth, b.Heads),
            DecoderWidth = 64,
            DecoderDepth = 1,
            DecoderHeads = 2,
            NormPixLoss = false,
            BatchSize = b.BatchSize,
            Seed = b.Seed,
            Workers = b.Workers,
            Device = b.Device,
            PriorBatchSize = 128,
            CheckpointEvery = 1,
            KeepCheckpoints = 2,
        };
        var mae = maeAmt with { Amt = null, MaskRatio = 0.75 };
        string model = $"--width {b.Width} --depth {b.Depth} --heads {b.Heads} --decoder-width 64 --decoder-depth 1 --decoder-heads 2 --no-norm-pix";
        return Cifar10Comparison.MaeFamily(mae, maeAmt, $"--preset cifar-mae {model}", $"--preset cifar-mae-amt {model}");
    }

    public static ComparisonEvaluation Evaluation(SyntheticBudget b) => new(
        new FrozenEvaluationConfig(
            new LinearProbeConfig(b.ProbeEpochs, Math.Max(1, b.ProbeEpochs / 10.0), 256, 4.0, Seed: b.Seed),
            new KnnConfig(), Workers: b.Workers, Converged: new ConvergedProbeConfig(Seed: b.Seed)),
        [FeaturePooling.Cls], DenseProbe: true);
}
