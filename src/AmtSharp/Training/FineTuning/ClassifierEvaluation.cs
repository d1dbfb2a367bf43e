using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Transforms;
using AmtSharp.Models;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.FineTuning;

/// <summary>A classifier's score on a labelled split.</summary>
/// <param name="Top1">Fraction of images whose label has the highest score.</param>
/// <param name="Top5">Fraction whose label is among the five highest (all of them with five classes or fewer).</param>
/// <param name="Loss">Mean plain cross-entropy (no smoothing).</param>
/// <param name="Count">Images scored.</param>
public sealed record ClassifierScore(double Top1, double Top5, double Loss, long Count);

/// <summary>
/// Top-1 / top-5 of a ViT classifier on every image of a source, with the evaluation transform and no gradients;
/// <c>progress</c> hears the number of images scored after each batch.
/// </summary>
public static class ClassifierEvaluation
{
    public static ClassifierScore Run(VisionTransformer model, IImageSource source, int batchSize = 128, int workers = 2,
        Device? device = null, CancellationToken cancellation = default, Action<long>? progress = null)
    {
        long top1 = 0, top5 = 0, count = 0;
        double lossSum = 0;
        InferencePass.Run(model, source, LoaderOptions.Sequential(TransformSpec.Evaluation(model.Config.ImageSize), batchSize, workers),
            (batch, images) =>
            {
                var logits = model.Classify(images);
                var labels = tensor(batch.Labels, device: logits.device);
                top1 += Accuracy.CorrectTopK(logits, labels, 1);
                top5 += Accuracy.CorrectTopK(logits, labels, 5);
                lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
                count += batch.Count;
                progress?.Invoke(count);
            }, device, cancellation);
        return count == 0 ? new ClassifierScore(0, 0, double.NaN, 0) : new ClassifierScore((double)top1 / count, (double)top5 / count, lossSum / count, count);
    }
}
