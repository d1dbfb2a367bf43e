using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Transforms;
using AmtSharp.Models;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Training.Evaluation;

/// <summary>Which token summarises an image.</summary>
public enum FeaturePooling
{
    /// <summary>[CLS] after the final norm (MAE's linear probe).</summary>
    Cls,

    /// <summary>Mean of the patch tokens after the final norm.</summary>
    MeanPatch,
}

/// <summary>
/// Frozen-encoder features of every image of a source, computed once (no augmentation): the whole image resized
/// to the model input (small images) or resized and centre-cropped (images larger than 2× the input).
/// </summary>
public static class FeatureExtractor
{
    /// <summary>
    /// The baseline without any encoder: each image's pixels after the evaluation transform at
    /// <paramref name="imageSize"/>, flattened to [N, 3·S·S], with labels [N]. A probe that does well on these
    /// reads colour or position, not what a network learned.
    /// </summary>
    public static (Tensor Features, Tensor Labels) RawPixels(IImageSource source, int imageSize, int batchSize = 128, int workers = 2,
        IPhaseProgress? progress = null)
    {
        var parts = new List<Tensor>();
        var labels = new List<long>(source.Count);
        using var identity = nn.Identity();
        InferencePass.Run(identity, source, LoaderOptions.Sequential(TransformSpec.Evaluation(imageSize), batchSize, workers),
            (batch, images) =>
            {
                parts.Add(images.flatten(1).MoveToOuterDisposeScope());
                labels.AddRange(batch.Labels);
                progress?.Report($"pixels of {source.Name}", labels.Count, source.Count, "images");
            });
        var all = cat(parts, 0);
        parts.ForEach(p => p.Dispose());
        return (all, tensor(labels.ToArray()));
    }

    /// <summary>Features [N, D] per pooling from one pass over the source (the encoder runs once per image), and labels [N].</summary>
    public static (IReadOnlyDictionary<FeaturePooling, Tensor> Features, Tensor Labels) ExtractPooled(VisionTransformer encoder,
        IImageSource source, IReadOnlyList<FeaturePooling> poolings, int batchSize = 128, int workers = 2, Device? device = null,
        CancellationToken cancellation = default, IPhaseProgress? progress = null)
    {
        var parts = poolings.Distinct().ToDictionary(p => p, _ => new List<Tensor>());
        var labels = new List<long>(source.Count);
        InferencePass.Run(encoder, source, LoaderOptions.Sequential(TransformSpec.Evaluation(encoder.Config.ImageSize), batchSize, workers),
            (batch, images) =>
            {
                var tokens = encoder.call(images);
                foreach (var (pooling, list) in parts)
                {
                    var f = pooling == FeaturePooling.Cls ? tokens[.., 0] : tokens[.., 1..].mean([1]);
                    list.Add(f.cpu().MoveToOuterDisposeScope());
                }
                labels.AddRange(batch.Labels);
                progress?.Report($"features of {source.Name}", labels.Count, source.Count, "images");
            }, device, cancellation);
        var all = parts.ToDictionary(kv => kv.Key, kv =>
        {
            var joined = cat(kv.Value, 0);
            kv.Value.ForEach(f => f.Dispose());
            return joined;
        });
        return (all, tensor(labels.ToArray()));
    }
}
