using AmtSharp.Masking;
using AmtSharp.Training.Optim;
using AmtSharp.Training.Pretraining;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

/// <summary>
/// Accumulating micro-batches must train like one batch of the same images. The MAE loss is a mean over equally many
/// masked patches per image, so with one fixed mask plan per image the batch loss is the mean of the micro-batch
/// losses; plain SGD with lr 1 turns each step's gradient into the weight change, which the tests compare.
/// </summary>
public sealed class GradientAccumulationTests
{
    private const int Micro = 2;

    [Fact]
    public void GroupsEndEveryAccumulationBatchesAndAtTheEpochsEnd()
    {
        using var mae = new TinyMae();
        using var sgd = mae.Sgd();
        var accumulator = new GradientAccumulator(4, 6, sgd, [], 0);
        Assert.Equal([4, 4, 4, 4, 2, 2], Enumerable.Range(0, 6).Select(accumulator.GroupSize));
        Assert.Equal([false, false, false, true, false, true], Enumerable.Range(1, 6).Select(accumulator.EndsGroup));
    }

    [Fact]
    public void FourMicroBatchesOfTwoStepLikeOneBatchOfEight()
    {
        using var data = new Data(8);
        var accumulated = Train(data, accumulation: 4, batchesPerEpoch: 4, Enumerable.Range(0, 4).Select(i => (i, i * Micro, Micro)));
        var whole = Train(data, accumulation: 1, batchesPerEpoch: 1, [(0, 0, 8)]);
        AssertSameUpdates(whole, accumulated);
    }

    [Fact]
    public void AnEpochsShortLastGroupStepsLikeOneBatchOfItsImages()
    {
        // Accumulation 4 over 6 micro-batches: batches 4 and 5 form the last group, a step over their 4 images.
        using var data = new Data(4);
        var shortGroup = Train(data, accumulation: 4, batchesPerEpoch: 6, [(4, 0, Micro), (5, Micro, Micro)]);
        var whole = Train(data, accumulation: 1, batchesPerEpoch: 1, [(0, 0, 4)]);
        AssertSameUpdates(whole, shortGroup);
    }

    // Feeds (batch index, first image, images) micro-batches to a fresh model; returns each parameter's change.
    private static Dictionary<string, Tensor> Train(Data data, int accumulation, int batchesPerEpoch,
        IEnumerable<(int Batch, int From, int Count)> microBatches)
    {
        using var mae = new TinyMae();
        using var sgd = mae.Sgd();
        var before = mae.Snapshot();
        var accumulator = new GradientAccumulator(accumulation, batchesPerEpoch, sgd, mae.Module.parameters().ToArray(), clipGrad: 0);
        var steps = new List<bool>();
        foreach (var (batch, from, count) in microBatches)
        {
            using var scope = NewDisposeScope();
            using var plan = data.Plan(from, count);
            var loss = mae.Model.Forward(data.Images[from..(from + count)], plan).Loss;
            steps.Add(accumulator.Backward(loss, batch));
        }
        Assert.Equal([.. Enumerable.Repeat(false, steps.Count - 1), true], steps);   // one step, after the group's last
        var after = mae.Snapshot();
        return before.ToDictionary(p => p.Key, p => after[p.Key] - p.Value);
    }

    private static void AssertSameUpdates(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual)
    {
        double largest = expected.Values.Max(t => t.abs().max().item<float>());
        Assert.True(largest > 1e-4, $"the step barely moved the weights ({largest})");
        foreach (var (name, update) in expected)
        {
            double diff = (update - actual[name]).abs().max().item<float>();
            Assert.True(diff <= 1e-5 * largest, $"{name}: updates differ by {diff} (largest update {largest})");
        }
    }

    private sealed class TinyMae : IDisposable
    {
        public TinyMae() => (Module, Model) = MimFactory.CreateModel(TinyPretrain.Config() with { Amt = null });

        public nn.Module Module { get; }

        public AmtSharp.Models.IMaskedImageModel Model { get; }

        public optim.Optimizer Sgd() => optim.SGD(Module.parameters(), learningRate: 1.0);

        public Dictionary<string, Tensor> Snapshot() => Module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());

        public void Dispose() => Module.Dispose();
    }

    // Fixed images and a fixed plan per image with masked, thrown and visible patches (AMT's counts on an 8 × 8 grid).
    private sealed class Data : IDisposable
    {
        private static readonly MaskGrid Grid = new(8);
        private static readonly MaskCounts Counts = new(29, 26, 9);
        private readonly Tensor order;

        public Data(int images)
        {
            using var generator = new Generator(7);
            Images = randn([images, 3, 32, 32], generator: generator);
            order = DrawOrder.Uniform(images, Grid.Cells, generator);
        }

        public Tensor Images { get; }

        public MaskPlan Plan(int from, int count) => DrawOrder.ToPlan(order[from..(from + count)], Counts, Grid);

        public void Dispose()
        {
            Images.Dispose();
            order.Dispose();
        }
    }
}
