using System.Diagnostics;
using AmtSharp.Amt;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Training.Pretraining;

/// <summary>What one prior refresh measured.</summary>
/// <param name="Seconds">Wall time of the pass.</param>
/// <param name="Statistics">The new prior's statistics (and its change from the previous one).</param>
/// <param name="Overlap">How much of the prior lies on the objects; null for sources that do not know their objects.</param>
public sealed record PriorRefresh(double Seconds, PriorStatistics Statistics, ForegroundOverlap? Overlap);

/// <summary>
/// Recomputes the AMT prior of every training image with the current encoder (a pass over the data in eval mode,
/// the model's own precision) and measures it: statistics against the previous prior and, for sources that know
/// their objects (synthetic shapes), how much of it lies on them.
/// </summary>
public sealed class PriorRefresher(PretrainConfig config, IImageSource source, Device device, BadInputLog badInputs, IPretrainObserver observer)
{
    // The sources' object masks, rendered at the first refresh and reused.
    private ObjectCells? objectCells;

    /// <summary>Fills <paramref name="prior"/> from <paramref name="encoder"/> and marks it computed after <paramref name="epoch"/>.</summary>
    public PriorRefresh Run(int epoch, VisionTransformer encoder, PriorStore prior, CancellationToken cancellation)
    {
        observer.OnRefreshStart(epoch, source.Count);
        var clock = Stopwatch.StartNew();
        var previous = prior.ComputedAtEpoch >= 0 ? prior.ToArray() : null;   // before the first refresh: all ones
        PriorPass.Run(encoder, source, prior, config.PriorBatchSize, config.Workers, device,
            config.SkipBadImages ? BadInputPolicy.Skip : BadInputPolicy.Fail, cancellation, badInputs,
            done => observer.OnRefreshProgress(epoch, done, source.Count));
        prior.MarkComputed(epoch);
        double seconds = clock.Elapsed.TotalSeconds;
        var statistics = prior.Statistics(previous);
        ForegroundOverlap? overlap = null;
        if (source is IForegroundMasks masks)
        {
            objectCells ??= ObjectCells.Of(masks, source.Count, prior.GridSize);
            overlap = objectCells.Score(prior);
        }
        return new PriorRefresh(seconds, statistics, overlap);
    }
}
