using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Transforms;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Amt;

/// <summary>
/// The prior refresh (amt-method §6): every training image, resized whole to S×S (no crop, no flip), goes through
/// the current encoder in eval mode without gradients; the last block's [CLS] attention becomes its prior.
/// </summary>
public static class PriorPass
{
    /// <summary>
    /// Recomputes every map of <paramref name="store"/>; returns images per second. <paramref name="progress"/> gets
    /// the number of images done after each batch.
    /// </summary>
    public static double Run(VisionTransformer encoder, IImageSource source, PriorStore store, int batchSize, int workers,
        Device? device = null, BadInputPolicy onBadInput = BadInputPolicy.Fail, CancellationToken cancellation = default,
        Action<int>? progress = null)
    {
        var options = LoaderOptions.Sequential(TransformSpec.Resize(encoder.Config.ImageSize), batchSize, workers)
            with
        { OnBadInput = onBadInput };
        var loader = new ImageLoader(source, options);
        bool wasTraining = encoder.training;
        encoder.eval();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int done = 0;
        try
        {
            using var noGrad = no_grad();
            foreach (var batch in loader.Epoch(0, cancellation: cancellation))
            {
                using (batch)
                using (var scope = NewDisposeScope())
                {
                    var images = device is null ? batch.Images : batch.Images.to(device);
                    var prior = AttentionPrior.FromAttention(encoder.LastBlockAttention(images));
                    store.Set(batch.Indices, prior.cpu());
                }
                done += batch.Count;
                progress?.Invoke(done);
            }
        }
        finally
        {
            encoder.train(wasTraining);
        }
        return source.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
    }
}
