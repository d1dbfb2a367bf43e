using System.Globalization;
using System.Text.Json;
using AmtSharp.Data;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Runs;

namespace AmtSharp.Experiments;

/// <summary>What end-to-end fine-tuning of one arm's encoder (or of a randomly initialised one) ended with.</summary>
/// <param name="Recipe">The recipe in one line (<see cref="ComparisonFineTuning.Describe"/>).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Top1">Test top-1 after the last epoch: the number the study reports.</param>
/// <param name="Top5">Test top-5 after the last epoch.</param>
/// <param name="BestTop1">The best test top-1 of the evaluated epochs (chosen on the test split, so only for reading).</param>
/// <param name="BestEpoch">The epoch (from 0) of <paramref name="BestTop1"/>.</param>
/// <param name="TrainSeconds">Training time, resumed parts included.</param>
/// <param name="EvalSeconds">Time spent scoring the test split.</param>
/// <param name="TrainImages">Training images.</param>
/// <param name="TestImages">Test images scored.</param>
public sealed record FineTuneSummary(string Recipe, int Epochs, double Top1, double Top5, double BestTop1, int BestEpoch,
    double TrainSeconds, double EvalSeconds, int TrainImages, int TestImages)
{
    public static FineTuneSummary From(FineTuneConfig recipe, FineTuneResult r) =>
        new(ComparisonFineTuning.Describe(recipe), r.EpochsCompleted, r.Top1, r.Top5, r.BestTop1, r.BestEpoch, r.TrainSeconds, r.EvalSeconds,
            r.TrainImages, r.TestImages);
}

/// <summary>
/// The study's second question (the paper's second claim): does an arm's pretraining fine-tune better? Each arm's final
/// encoder is fine-tuned end to end with one recipe on the study's training images and scored on the test split; the
/// same recipe from random initialisation is the supervised baseline of each seed. A fine-tuning lives in the
/// <c>finetune</c> folder of its arm (or in <c>seed-S/supervised</c>), resumes from its newest checkpoint, and a
/// finished one is read back from its final.json.
/// </summary>
public static class ComparisonFineTuning
{
    /// <summary>The run folder name of the supervised baseline beside the arms of a seed.</summary>
    public const string SupervisedArm = "supervised";

    public const string SupervisedLabel = "supervised from scratch (no pretraining)";

    /// <summary>The fine-tuning folder inside an arm's run folder.</summary>
    public const string Folder = "finetune";

    /// <summary>
    /// The CPU recipe (<see cref="FineTunePresets.Cifar"/>) for <paramref name="epochs"/> epochs: the warm-up keeps the
    /// preset's share of the run, as <c>amt finetune --epochs</c> does, and the test split is scored three times.
    /// </summary>
    public static FineTuneConfig Recipe(int epochs)
    {
        var preset = FineTunePresets.Cifar.Config;
        return preset with
        {
            Epochs = epochs,
            WarmupEpochs = preset.WarmupEpochs * epochs / preset.Epochs,
            EvalEvery = Math.Max(1, epochs / 3),
        };
    }

    /// <summary>The recipe in one line, for the page.</summary>
    public static string Describe(FineTuneConfig c) => string.Format(CultureInfo.InvariantCulture,
        "{0} epochs (warm-up {1:G3}), batch {2}, blr {3:G3}, layer decay {4}, weight decay {5}, drop path {6}, RandAugment {7}, " +
        "random erasing {8}, mixup {9} / cutmix {10}, label smoothing {11}, crop ≥ {12}, {13} pooling",
        c.Epochs, c.WarmupEpochs, c.EffectiveBatch, c.BaseLr, c.LayerDecay, c.WeightDecay, c.DropPath, c.RandAugment, c.ReProb,
        c.MixupAlpha, c.CutmixAlpha, c.LabelSmoothing, c.CropScaleMin, c.Pooling == VitPooling.Cls ? "[CLS]" : "mean-patch");

    /// <summary>
    /// Fine-tunes <paramref name="encoder"/> (null: a randomly initialised encoder of <paramref name="recipe"/>'s shape)
    /// in <paramref name="folder"/>, continuing a stopped run there, or reads a finished one back. <paramref name="observer"/>
    /// is asked for a progress display only when there is training to do.
    /// </summary>
    public static FineTuneSummary Run(FineTuneConfig recipe, VisionTransformer? encoder, IImageSource train, IImageSource test,
        string folder, Func<IFineTuneObserver?>? observer, CancellationToken cancellation)
    {
        string final = Path.Combine(folder, RunFolder.FinalFile);
        if (File.Exists(final))
        {
            var done = JsonSerializer.Deserialize<FineTuneResult>(File.ReadAllText(final), RunFolder.JsonOptions)
                ?? throw new CheckpointException(final, "is empty");
            string configFile = Path.Combine(folder, RunFolder.ConfigFile);
            var saved = File.Exists(configFile) ? JsonSerializer.Deserialize<FineTuneConfig>(File.ReadAllText(configFile), RunFolder.JsonOptions) : null;
            // From scratch the encoder's shape is part of the recipe; a pretrained one brings its own.
            if (saved is null || Describe(saved) != Describe(recipe) || saved.Seed != recipe.Seed || done.EpochsCompleted != recipe.Epochs
                || (encoder is null && saved.Encoder != recipe.Encoder))
            {
                throw new CheckpointException(final, $"is a fine-tuning with another recipe or seed than this study's ({Describe(recipe)}, seed {recipe.Seed}); move the folder away to fine-tune again");
            }
            return FineTuneSummary.From(saved, done);
        }
        bool resume = new CheckpointFolder(Path.Combine(folder, "checkpoints")).List().Count > 0;
        using var tuner = new FineTuner(recipe, train, test, encoder, folder, observer?.Invoke());
        return FineTuneSummary.From(tuner.Config, tuner.Train(resume, cancellation: cancellation));
    }
}
