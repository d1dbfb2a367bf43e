using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Transforms;
using AmtSharp.Models;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Amt;

/// <summary>
/// The prior refresh (docs/method.md#prior-refresh): every training image, resized whole to S×S (no crop, no flip), goes through
/// the current encoder in eval mode under inference mode, in the caller's <see cref="Autocast"/> precision; the last
/// block's [CLS] attention becomes its prior.
/// </summary>
public static class PriorPass
{
    /// <summary>
    /// Recomputes every map of <paramref name="store"/>; returns images per second. <paramref name="progress"/> gets
    /// the number of images done after each batch.
    /// </summary>
    public static double Run(VisionTransformer encoder, IImageSource source, PriorStore store, int batchSize, int workers,
        Device? device = null, BadInputPolicy onBadInput = BadInputPolicy.Fail, CancellationToken cancellation = default,
        BadInputLog? badInputs = null, Action<int>? progress = null)
    {
        var options = LoaderOptions.Sequential(TransformSpec.Resize(encoder.Config.ImageSize), batchSize, workers)
            with
        { OnBadInput = onBadInput, BadInputs = badInputs };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int done = 0;
        InferencePass.Run(encoder, source, options, (batch, images) =>
        {
            store.Set(batch.Indices, AttentionPrior.FromAttention(encoder.LastBlockAttention(images)).cpu());
            done += batch.Count;
            progress?.Invoke(done);
        }, device, cancellation, inferenceMode: true);
        return source.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
    }
}
