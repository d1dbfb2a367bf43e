using AmtSharp.Amt;
using AmtSharp.Data;
using AmtSharp.Training.Checkpoints;
using Xunit;

namespace AmtSharp.Tests.Amt;

public sealed class PriorSummaryTests
{
    [Fact]
    public void FlatMapsSitAtTheFlatReferences()
    {
        var store = new PriorStore(3, 4);                           // all ones
        var s = PriorSummary.Of(store);
        Assert.Equal(3, s.FlatMaps);
        Assert.Equal(1.0, s.EntropyFractionMedian, 9);
        Assert.Equal(4, s.TopQuartileCells);
        Assert.Equal(0.25, s.TopQuartileMass, 9);
        Assert.Equal(4, s.CentreCells);                             // the central 2×2 of a 4×4 grid
        Assert.Equal(0.25, s.CentreMass, 9);
    }

    [Fact]
    public void APeakedCentralMapHasLowEntropyAndAllItsMassInTheTopQuartileAndCentre()
    {
        var map = new float[16];
        map[5] = 1;                                                  // row 1, column 1: inside the central 2×2
        var peaked = PriorStore.FromArray([.. map, .. Enumerable.Repeat(1f, 16)], 2, 4, 0);
        var s = PriorSummary.Of(peaked);
        Assert.Equal(1, s.FlatMaps);
        Assert.Equal(0.0, s.EntropyFractionP10, 9);
        Assert.Equal((1.0 + 0.25) / 2, s.TopQuartileMass, 9);
        Assert.Equal((1.0 + 0.25) / 2, s.CentreMass, 9);
        Assert.Equal(0.5, s.Entropy.MeanEntropyFraction, 9);
    }

    [Fact]
    public void ForegroundOverlapRewardsPriorsOnTheObjectAndNotOthers()
    {
        var masks = new LeftHalfObject(8);
        var onObject = new float[16];
        var offObject = new float[16];
        for (int c = 0; c < 16; c++)
        {
            onObject[c] = c % 4 < 2 ? 1f : 0f;                       // left half of a 4×4 grid
            offObject[c] = 1 - onObject[c];
        }
        var good = ForegroundOverlap.Measure(PriorStore.FromArray(onObject, 1, 4, 0), masks);
        var bad = ForegroundOverlap.Measure(PriorStore.FromArray(offObject, 1, 4, 0), masks);
        Assert.Equal(1.0, good.TopQuartileForeground, 9);
        Assert.Equal(0.5, good.ForegroundShare, 9);
        Assert.Equal(2.0, good.Lift, 9);
        Assert.Equal(0.0, bad.TopQuartileForeground, 9);
    }

    [Fact]
    public void ObjectCellsRenderedOnceScoreEveryLaterPriorAndRefuseAnotherGrid()
    {
        var cells = ObjectCells.Of(new LeftHalfObject(8), 1, 4);
        var onObject = Enumerable.Range(0, 16).Select(c => c % 4 < 2 ? 1f : 0f).ToArray();
        Assert.Equal(1.0, cells.Score(PriorStore.FromArray(onObject, 1, 4, 0)).TopQuartileForeground, 9);
        Assert.Equal(0.0, cells.Score(PriorStore.FromArray([.. onObject.Select(v => 1 - v)], 1, 4, 0)).TopQuartileForeground, 9);
        Assert.Throws<ArgumentException>(() => cells.Score(new PriorStore(1, 8)));
    }

    [Fact]
    public void PriorFilesRoundTripAndOtherFilesAreRefused()
    {
        using var dir = new TestUtil.TempDir();
        var values = Enumerable.Range(0, 3 * 16).Select(i => i / 48f).ToArray();
        var store = PriorStore.FromArray(values, 3, 4, -1);
        string path = Path.Combine(dir.Path, "p" + PriorFile.Extension);
        PriorFile.Save(path, store, new PriorFileInfo("model", "data", 16, 4));
        var (loaded, metadata) = PriorFile.Load(path);
        Assert.Equal(values, loaded.ToArray());
        Assert.Equal(4, loaded.GridSize);
        Assert.Equal("model", metadata["model"]!.GetValue<string>());

        string other = Path.Combine(dir.Path, "other.amtckpt");
        using (var data = new CheckpointData().With("x", 1))
        {
            CheckpointFile.Save(other, data);
        }
        var error = Assert.Throws<CheckpointException>(() => PriorFile.Load(other));
        Assert.Contains("other.amtckpt", error.Message);
        Assert.Contains("no attention prior", error.Message);
    }

    /// <summary>An S×S "image" whose left half is the object.</summary>
    private sealed class LeftHalfObject(int size) : IForegroundMasks
    {
        public float[] ForegroundMask(int index, out int width, out int height)
        {
            width = height = size;
            return [.. Enumerable.Range(0, size * size).Select(i => i % size < size / 2 ? 1f : 0f)];
        }
    }
}
