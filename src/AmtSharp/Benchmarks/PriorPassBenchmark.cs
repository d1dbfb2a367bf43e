using System.Diagnostics;
using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Models;
using AmtSharp.Models.Vit;
using static TorchSharp.torch;

namespace AmtSharp.Benchmarks;

/// <summary>The prior-refresh pass on in-memory images.</summary>
/// <param name="BatchSize">Images per forward.</param>
/// <param name="Batches">Timed batches.</param>
/// <param name="ImagesPerSecond">Images through the pass per second.</param>
/// <param name="FlopsPerImage">ComputeAccounting.PriorRefreshFlops: all tokens through blocks 0 … depth−2, the last block's QKV and QKᵀ.</param>
/// <param name="AchievedFlopsPerSecond">FLOPs per image × images per second.</param>
/// <param name="Mfu">Achieved / the in-process matmul peak of this precision.</param>
/// <param name="Precision">fp32 or bf16.</param>
/// <param name="TrainImagesPerSecond">The training step's images/s at the same model and precision (MAE + AMT, else the first method timed), for the cost comparison.</param>
public sealed record PriorPassResult(int BatchSize, int Batches, double ImagesPerSecond, double FlopsPerImage, double AchievedFlopsPerSecond, double? Mfu,
    string Precision = "fp32", double? TrainImagesPerSecond = null)
{
    /// <summary>Wall time per image of the refresh over that of a training step (below 1: cheaper).</summary>
    public double? CostPerImageVsTrainStep => TrainImagesPerSecond is > 0 ? TrainImagesPerSecond / ImagesPerSecond : null;
}

/// <summary>
/// Times what <see cref="PriorPass"/> does per batch, without its loader: the encoder in eval mode under inference
/// mode, in the given precision, up to the last block's attention, the [CLS] prior from it, and the copy into the prior store.
/// </summary>
public static class PriorPassBenchmark
{
    public static PriorPassResult Run(VitConfig encoderConfig, int batchSize, int batches, long seed = 0, double? peakFlopsPerSecond = null,
        ComputePrecision precision = ComputePrecision.Fp32)
    {
        using var autocast = Autocast.Enter(precision);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        using var encoder = new VisionTransformer(encoderConfig);
        using (var generator = WeightInit.Generator(seed))
        {
            encoder.InitWeights(generator);
        }
        encoder.eval();
        using var images = TrainStepBenchmark.SyntheticImages(batchSize, encoderConfig, seed);
        var store = new PriorStore(batchSize, encoderConfig.GridSize);
        int[] indices = Enumerable.Range(0, batchSize).ToArray();
        using var inference = inference_mode();
        void Batch()
        {
            using var scope = NewDisposeScope();
            store.Set(indices, AttentionPrior.FromAttention(encoder.LastBlockAttention(images)));
        }
        Batch();                                                 // untimed warm-up
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++)
        {
            Batch();
        }
        double rate = (double)batchSize * batches / clock.Elapsed.TotalSeconds;
        double flops = ComputeAccounting.ForSimMim(encoderConfig).PriorRefreshFlops();     // the refresh is encoder-only
        double achieved = flops * rate;
        return new PriorPassResult(batchSize, batches, rate, flops, achieved, peakFlopsPerSecond is > 0 ? achieved / peakFlopsPerSecond.Value : null, precision.Name());
    }
}
