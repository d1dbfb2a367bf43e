using System.Globalization;
using System.Text.Json;
using AmtSharp.Amt;
using AmtSharp.Data;
using AmtSharp.Reporting;
using AmtSharp.Reporting.Snapshots;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Inspection;

/// <summary>What <see cref="PriorTool.Compute"/> made.</summary>
public sealed record PriorComputation(
    PriorSummary Summary,
    ForegroundOverlap? Overlap,
    double ImagesPerSecond,
    string PriorPath,
    string PicturePath,
    string StatisticsPath);

/// <summary>
/// `amt prior`: the AMT prior of every image of a dataset under one encoder (the refresh pass of training, batched),
/// saved as a <see cref="PriorFile"/>, summarised (<see cref="PriorSummary"/>, and <see cref="ForegroundOverlap"/>
/// where the dataset knows its objects), with an attention overlay of a few images.
/// </summary>
public static class PriorTool
{
    public const string PriorFileName = "prior" + PriorFile.Extension;
    public const string PictureFileName = "prior-attention.png";
    public const string StatisticsFileName = "prior-stats.json";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <param name="model">The encoder's model (a checkpoint or an initialisation).</param>
    /// <param name="modelDescription">Where it came from, for the file's metadata and the picture's title.</param>
    /// <param name="source">The images.</param>
    /// <param name="folder">Output folder (created; must be writable).</param>
    /// <param name="batchSize">Images per prior-pass batch.</param>
    /// <param name="workers">Loader threads.</param>
    /// <param name="pictureImages">Images in the attention overlay.</param>
    /// <param name="progress">Images done, after each batch.</param>
    public static PriorComputation Compute(PretrainedModel model, string modelDescription, IImageSource source, string folder,
        int batchSize, int workers, int pictureImages, Action<int>? progress = null)
    {
        var run = RunFolder.Create(folder);
        var encoder = model.Model.Encoder;
        var config = encoder.Config;
        var store = new PriorStore(source.Count, config.GridSize);
        double rate = PriorPass.Run(encoder, source, store, batchSize, workers, progress: progress);
        var summary = PriorSummary.Of(store);
        var overlap = source is IForegroundMasks masks ? ForegroundOverlap.Measure(store, masks) : null;

        string priorPath = run.PathOf(PriorFileName);
        PriorFile.Save(priorPath, store, new PriorFileInfo(modelDescription, $"{source.Name} ({source.Count} images)", config.ImageSize, config.PatchSize));
        string statsPath = run.PathOf(StatisticsFileName);
        File.WriteAllText(statsPath, JsonSerializer.Serialize(new { model = modelDescription, dataset = source.Name, summary, foreground = overlap }, RunFolder.JsonOptions));

        var images = SnapshotImages.Pick(source, pictureImages, config.ImageSize);
        var samples = Enumerable.Range(0, images.Count).Select(i => new AttentionSample(
            ImageNetNormalization.ToUnitRange(images.Normalized[i]), store.GetCopy(images.Indices[i]), images.Foreground[i], images.Captions[i])).ToList();
        string picturePath = run.PathOf(PictureFileName);
        AttentionOverlay.Write(picturePath, samples, SnapshotPictures.AttentionOptions($"AMT prior (last-block CLS attention) of {Shorten(modelDescription)}"));
        return new PriorComputation(summary, overlap, rate, priorPath, picturePath, statsPath);
    }

    /// <summary>The summary as lines of text, each figure beside its flat-map (or chance) reference.</summary>
    public static IEnumerable<string> Describe(PriorSummary s, ForegroundOverlap? overlap = null)
    {
        var e = s.Entropy;
        yield return string.Create(Inv, $"  maps                {s.Maps}, {s.GridSize}x{s.GridSize} patches each");
        yield return string.Create(Inv, $"  mean entropy        {e.MeanEntropyNats:F3} nats = {e.MeanEntropyFraction:P1} of the flat map's log {s.Cells} = {e.MaxEntropyNats:F3}");
        yield return string.Create(Inv, $"  entropy spread      p10 {s.EntropyFractionP10:P1}, median {s.EntropyFractionMedian:P1}, p90 {s.EntropyFractionP90:P1} of max");
        yield return string.Create(Inv, $"  top-quartile mass   {s.TopQuartileMass:P1} of each map in its {s.TopQuartileCells} highest cells (flat map: {(double)s.TopQuartileCells / s.Cells:P1})");
        yield return string.Create(Inv, $"  centre mass         {s.CentreMass:P1} in the central {s.CentreCells} cells (flat map: {(double)s.CentreCells / s.Cells:P1})");
        yield return string.Create(Inv, $"  flat maps           {s.FlatMaps} of {s.Maps}");
        if (overlap is not null)
        {
            yield return string.Create(Inv, $"  foreground overlap  {overlap.TopQuartileForeground:P1} of the top-quartile prior cells are foreground; "
                + $"{overlap.ForegroundShare:P1} of all cells are ({overlap.Lift:F2}x chance)");
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : "..." + text[^37..];
}
