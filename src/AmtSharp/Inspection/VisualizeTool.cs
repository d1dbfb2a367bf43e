using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Masking;
using AmtSharp.Reporting;
using AmtSharp.Reporting.Snapshots;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Inspection;

/// <summary>What `amt visualize` shows.</summary>
/// <param name="Images">How many images.</param>
/// <param name="MaskRatio">AMT mask ratio r; null = the checkpoint's (or the method's default).</param>
/// <param name="ThrowRatio">AMT throw ratio t; null = the checkpoint's (or the method's default).</param>
/// <param name="Seed">Seed of the mask draw.</param>
/// <param name="Statistics">How norm-pix MAE predictions become pixels.</param>
public sealed record VisualizeOptions(
    int Images = 8,
    double? MaskRatio = null,
    double? ThrowRatio = null,
    long Seed = 0,
    NormPixStatistics Statistics = NormPixStatistics.TruePatch);

/// <summary>What <see cref="VisualizeTool.Write"/> made.</summary>
public sealed record Visualization(string MaskingPath, string AttentionPath, MaskCounts Counts, double Loss);

/// <summary>
/// `amt visualize`: for a few images, the prior the model computes now, an AMT plan drawn from it and the model's
/// reconstruction (masking.png), and its attention over the images (attention.png).
/// </summary>
public static class VisualizeTool
{
    public const string MaskingFileName = "masking.png";
    public const string AttentionFileName = "attention.png";

    public static Visualization Write(PretrainedModel model, string modelDescription, IImageSource source, string folder, VisualizeOptions options)
    {
        var run = RunFolder.Create(folder);
        var config = model.Config;
        var amt = config.Amt ?? (config.Method == MimMethod.Mae ? AmtConfig.ForMae() : AmtConfig.ForSimMim());
        amt = amt with { MaskRatio = options.MaskRatio ?? amt.MaskRatio, ThrowRatio = options.ThrowRatio ?? amt.ThrowRatio };
        var strategy = amt.Strategy(MimFactory.Grid(config));

        var images = SnapshotImages.Pick(source, options.Images, config.Encoder.ImageSize);
        var priors = MaskingSnapshot.Attention(model.Model, images);
        var snapshot = MaskingSnapshot.Take(images, new SnapshotRequest(model.Model, strategy, priors,
            Seeds.Derive(options.Seed, Seeds.Purpose.Report), options.Statistics));

        string name = modelDescription.Length <= 40 ? modelDescription : "..." + modelDescription[^37..];
        var grid = SnapshotPictures.MaskingGrid(snapshot, $"{name}: AMT plan, {strategy.Counts}");
        var overlay = SnapshotPictures.AttentionOverlay(snapshot, $"last-block CLS attention (mean of heads): {name}");
        var result = new Visualization(run.PathOf(MaskingFileName), run.PathOf(AttentionFileName), strategy.Counts, snapshot.Loss);
        grid.Save(result.MaskingPath);
        overlay.Save(result.AttentionPath);
        return result;
    }
}
