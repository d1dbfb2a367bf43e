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
    /// <summary>Features [N, D] and labels [N] on the CPU, in dataset order.</summary>
    public static (Tensor Features, Tensor Labels) Extract(VisionTransformer encoder, IImageSource source,
        FeaturePooling pooling = FeaturePooling.Cls, int batchSize = 128, int workers = 2, Device? device = null,
        CancellationToken cancellation = default)
    {
        var features = new List<Tensor>();
        var labels = new List<long>(source.Count);
        InferencePass.Run(encoder, source, LoaderOptions.Sequential(TransformSpec.Evaluation(encoder.Config.ImageSize), batchSize, workers),
            (batch, images) =>
            {
                var tokens = encoder.forward(images);
                var f = pooling == FeaturePooling.Cls ? tokens[.., 0] : tokens[.., 1..].mean([1]);
                features.Add(f.cpu().MoveToOuterDisposeScope());
                labels.AddRange(batch.Labels);
            }, device, cancellation);
        var all = cat(features, 0);
        features.ForEach(f => f.Dispose());
        return (all, tensor(labels.ToArray()));
    }
}
