using AmtSharp.Data.Sources;
using AmtSharp.Models;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

public sealed class DenseProbeTests
{
    [Fact]
    public void IoUIsTruePositivesOverTheUnionPerClass()
    {
        using var truth = tensor(new long[] { 0, 0, 0, 1, 1, 2 });
        using var predicted = tensor(new long[] { 0, 0, 1, 1, 2, 2 });
        var iou = DenseProbe.IoU(predicted, truth, 4);
        Assert.Equal(2.0 / 3, iou[0], 12);   // TP 2, truth 3, predicted 2
        Assert.Equal(1.0 / 3, iou[1], 12);   // TP 1, truth 2, predicted 2
        Assert.Equal(1.0 / 2, iou[2], 12);   // TP 1, truth 1, predicted 2
        Assert.True(double.IsNaN(iou[3]));   // in neither: left out of the mean
    }

    [Fact]
    public void ScoresEveryTestPatchOfAnEncoderOnSourcesWithObjects()
    {
        var train = SyntheticShapesSource.Train(seed: 3, count: 48, size: 32, classes: 3);
        var test = SyntheticShapesSource.Test(seed: 3, count: 16, size: 32, classes: 3);
        using var encoder = new VisionTransformer(new VitConfig(32, 8, 3, 32, 1, 2));
        using (var generator = WeightInit.Generator(1))
        {
            encoder.InitWeights(generator);                      // not the global generator, which parallel tests share
        }
        var result = DenseProbe.Run(encoder, train, test, new ConvergedProbeConfig(Lambdas: [1e-2]), batchSize: 16, workers: 1);
        Assert.Equal(48 * 16, result.TrainPatches);
        Assert.Equal(16 * 16, result.TestPatches);
        Assert.Equal(4, result.IoU.Count);                       // background + 3 shape classes
        Assert.InRange(result.MeanIoU, 0, 1);
        // Background dominates the patches, so even a random encoder finds most of it.
        Assert.True(result.IoU[0] > 0.3, $"background IoU {result.IoU[0]}");
        Assert.InRange(result.PatchAccuracy, 0.3, 1);
    }
}
