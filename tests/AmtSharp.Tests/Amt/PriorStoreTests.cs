using AmtSharp.Amt;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Amt;

public sealed class PriorStoreTests
{
    [Fact]
    public void StartsAtOnesAndStoresByDatasetIndex()
    {
        var store = new PriorStore(5, 2);
        Assert.Equal(-1, store.ComputedAtEpoch);
        Assert.All(store.ToArray(), v => Assert.Equal(1f, v));

        using var priors = tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f }, [2, 4]);
        store.Set([3, 0], priors);
        store.MarkComputed(7);
        Assert.Equal(new[] { 0.1f, 0.2f, 0.3f, 0.4f }, store.GetCopy(3));
        Assert.Equal(new[] { 0.5f, 0.6f, 0.7f, 0.8f }, store.Get(0).ToArray());
        Assert.Equal(new[] { 1f, 1f, 1f, 1f }, store.GetCopy(1));
        Assert.Equal(7, store.ComputedAtEpoch);

        using var wrong = ones(2, 9);
        Assert.Throws<ArgumentException>(() => store.Set([0, 1], wrong));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Get(5));
    }

    [Fact]
    public void CheckpointRoundTripAndShapeCheck()
    {
        var store = new PriorStore(3, 2);
        using var priors = rand(3, 4);
        store.Set([0, 1, 2], priors);
        store.MarkComputed(39);
        var restored = PriorStore.FromArray(store.ToArray(), 3, 2, store.ComputedAtEpoch);
        Assert.Equal(store.ToArray(), restored.ToArray());
        Assert.Equal(39, restored.ComputedAtEpoch);

        var fewerImages = Assert.Throws<ArgumentException>(() => PriorStore.FromArray(store.ToArray(), 4, 2, 39));
        Assert.Contains("3 maps", fewerImages.Message);
        Assert.Contains("4 images", fewerImages.Message);
        var otherGrid = Assert.Throws<ArgumentException>(() => PriorStore.FromArray(store.ToArray(), 3, 3, 39));
        Assert.Contains("3×3", otherGrid.Message);
    }

    [Fact]
    public void EntropyOfNormalisedMaps()
    {
        var store = new PriorStore(3, 2);                     // map 2 stays all ones: uniform
        using var priors = tensor(new float[] { 0.7f, 0, 0, 0, 0.5f, 0.5f, 0, 0 }, [2, 4]);
        store.Set([0, 1], priors);                            // one-hot (0 nats) and two equal cells (log 2)
        var stats = store.Statistics();
        Assert.Equal(3, stats.Maps);
        Assert.Equal(Math.Log(4), stats.MaxEntropyNats, 12);
        Assert.Equal((0 + Math.Log(2) + Math.Log(4)) / 3, stats.MeanEntropyNats, 6);
        Assert.Equal(stats.MeanEntropyNats / Math.Log(4), stats.MeanEntropyFraction, 12);
    }
}
