using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Transforms;
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
        var transform = TransformSpec.Evaluation(encoder.Config.ImageSize);
        var loader = new ImageLoader(source, LoaderOptions.Sequential(transform, batchSize, workers));
        var features = new List<Tensor>();
        var labels = new List<long>(source.Count);
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var noGrad = no_grad();
            foreach (var batch in loader.Epoch(0, cancellation: cancellation))
            {
                using (batch)
                using (var scope = NewDisposeScope())
                {
                    var images = device is null ? batch.Images : batch.Images.to(device);
                    var tokens = encoder.forward(images);
                    var f = pooling == FeaturePooling.Cls ? tokens[.., 0] : tokens[.., 1..].mean([1]);
                    features.Add(f.cpu().MoveToOuterDisposeScope());
                    labels.AddRange(batch.Labels);
                }
            }
        }
        finally
        {
            encoder.train(wasTraining);
        }
        var all = cat(features, 0);
        features.ForEach(f => f.Dispose());
        return (all, tensor(labels.ToArray()));
    }
}
