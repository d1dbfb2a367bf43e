using System.Runtime;
using AmtSharp.Core;
using Xunit;

namespace AmtSharp.Tests.Core;

// The pause is process-wide, so these run apart from the parallel tests.
[Collection(GlobalStateCollection.Name)]
public sealed class CollectionPauseTests
{
    [Fact]
    public void NoCollectionHappensInsideAPauseAndItEndsOnDispose()
    {
        for (int step = 0; step < 20; step++)
        {
            StepOnce();
        }
    }

    // One step's worth: the pause holds (no other one does in this collection), nothing is collected inside it.
    private static void StepOnce()
    {
        using (var pause = new CollectionPause())
        {
            Assert.True(pause.Started, "the runtime refused the no-GC region");
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            int before = GC.CollectionCount(0);
            var garbage = new List<byte[]>();
            for (int i = 0; i < 256; i++)
            {
                garbage.Add(new byte[16 << 10]); // 4 MiB in all, well inside the budget
            }
            Assert.Equal(before, GC.CollectionCount(0));
            GC.KeepAlive(garbage);
        }
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void ASecondPauseWhileOneHoldsDoesNothingAndLeavesTheFirstIntact()
    {
        using var first = new CollectionPause();
        using (var second = new CollectionPause())
        {
            Assert.False(second.Started && first.Started);
        }
        if (first.Started)
        {
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        }
    }

    [Fact]
    public void AStepThatOutgrowsTheBudgetEndsThePauseQuietly()
    {
        var pause = new CollectionPause();
        var garbage = new List<byte[]>();
        for (int i = 0; i < 3 * (CollectionPause.Budget >> 20); i++)
        {
            garbage.Add(new byte[1 << 20]);
        }
        garbage.Clear();
        pause.Dispose(); // must not throw although the runtime collected
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }
}
