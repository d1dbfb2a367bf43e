using AmtSharp.Amt;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Transforms;
using AmtSharp.Models;
using AmtSharp.Models.Vit;
using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.Evaluation;

/// <summary>
/// The dense probe's outcome on the test images: per-patch classes (0 = background, k + 1 = object of class k).
/// </summary>
/// <param name="MeanIoU">Mean over the classes that occur (in the truth or the prediction) of TP / (TP + FP + FN).</param>
/// <param name="PatchAccuracy">Share of test patches classified right.</param>
/// <param name="IoU">IoU per class, background first; NaN for a class that never occurs.</param>
/// <param name="Lambda">The L2 strength the converged probe chose.</param>
/// <param name="TrainPatches">Patches the probe was fit on.</param>
/// <param name="TestPatches">Patches it was scored on.</param>
public sealed record DenseProbeResult(double MeanIoU, double PatchAccuracy, IReadOnlyList<double> IoU, double Lambda, long TrainPatches, long TestPatches);

/// <summary>
/// A linear classifier on frozen patch tokens predicting each patch's class — background, or the class of the object
/// that covers it — scored as mIoU: the study's small-scale stand-in for the paper's segmentation transfer. It needs
/// sources that know their objects (<see cref="IForegroundMasks"/>); a patch is object when the object covers at
/// least <see cref="ForegroundOverlap.CellCoverage"/> of it, as for the prior's on-object share.
/// </summary>
public static class DenseProbe
{
    public static DenseProbeResult Run(VisionTransformer encoder, IImageSource train, IImageSource test, ConvergedProbeConfig probe,
        int batchSize = 128, int workers = 2, Device? device = null, CancellationToken cancellation = default)
    {
        int classes = train.ClassNames.Count + 1;
        using var scope = NewDisposeScope();
        var (trainX, trainY) = PatchTokens(encoder, train, batchSize, workers, device, cancellation);
        var (testX, testY) = PatchTokens(encoder, test, batchSize, workers, device, cancellation);
        var predicted = new ConvergedProbe(probe).Predict(trainX, trainY, testX, classes, out double lambda);
        var iou = IoU(predicted, testY, classes);
        double accuracy = predicted.eq(testY).to_type(ScalarType.Float64).mean().item<double>();
        var present = iou.Where(v => !double.IsNaN(v)).ToList();
        return new DenseProbeResult(present.Count == 0 ? 0 : present.Average(), accuracy, iou, lambda, trainX.shape[0], testX.shape[0]);
    }

    /// <summary>IoU per class of predicted against true labels (both [M]); NaN where a class is in neither.</summary>
    public static IReadOnlyList<double> IoU(Tensor predicted, Tensor truth, int classes)
    {
        using var scope = NewDisposeScope();
        // Confusion matrix in one bincount: row = truth, column = prediction.
        var confusion = truth.to_type(ScalarType.Int64).mul(classes).add(predicted.to_type(ScalarType.Int64))
            .bincount(null, classes * classes).view(classes, classes).to_type(ScalarType.Float64);
        var tp = confusion.diagonal();
        var union = confusion.sum([0]).add(confusion.sum([1])).sub(tp);
        var tpA = tp.data<double>().ToArray();
        var unionA = union.data<double>().ToArray();
        return [.. tpA.Select((t, k) => unionA[k] == 0 ? double.NaN : t / unionA[k])];
    }

    // Patch tokens [N·L, D] after the final norm, and each patch's class [N·L].
    private static (Tensor X, Tensor Y) PatchTokens(VisionTransformer encoder, IImageSource source, int batchSize, int workers,
        Device? device, CancellationToken cancellation)
    {
        if (source is not IForegroundMasks masks)
        {
            throw new ConfigException("Data", $"'{source.Name}' has no object masks; the dense probe needs them");
        }
        int grid = encoder.Config.GridSize;
        var objects = ObjectCells.Of(masks, source.Count, grid);
        var tokens = new List<Tensor>();
        var labels = new List<long>(source.Count * grid * grid);
        int next = 0;
        InferencePass.Run(encoder, source, LoaderOptions.Sequential(TransformSpec.Evaluation(encoder.Config.ImageSize), batchSize, workers),
            (batch, images) =>
            {
                var patches = encoder.call(images)[.., 1..];
                tokens.Add(patches.reshape(-1, patches.shape[2]).cpu().MoveToOuterDisposeScope());
                foreach (long label in batch.Labels)
                {
                    for (int cell = 0; cell < grid * grid; cell++)
                    {
                        labels.Add(objects.IsObject(next, cell) ? label + 1 : 0);
                    }
                    next++;
                }
            }, device, cancellation);
        var x = cat(tokens, 0);
        tokens.ForEach(t => t.Dispose());
        return (x, tensor(labels.ToArray()));
    }
}
