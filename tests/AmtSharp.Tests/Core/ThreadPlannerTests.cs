using AmtSharp.Core;
using Xunit;

namespace AmtSharp.Tests.Core;

/// <summary>The thread planner: never more threads than cores unless the user asked, and then with a note.</summary>
public sealed class ThreadPlannerTests
{
    [Fact]
    public void AChosenPlanNeverAsksForMoreThreadsThanCores()
    {
        for (int cores = 2; cores <= 256; cores++)
        {
            foreach (bool loader in new[] { true, false })
            {
                var plan = ThreadPlanner.Plan(cores, null, null, loader);
                Assert.True(plan.IntraOpThreads + plan.Workers <= cores, $"{cores} cores: {plan.Describe()}");
                Assert.True(plan.IntraOpThreads >= 1);
                Assert.Equal(loader, plan.Workers >= 1);
                Assert.Null(plan.Warning);
            }
        }
        // Two cores, the development machine: one of each, not 2 + 2 (the configuration that stalled the demo).
        Assert.Equal((1, 1), (ThreadPlanner.Plan(2, null, null).IntraOpThreads, ThreadPlanner.Plan(2, null, null).Workers));
        // One core: a loader still needs its own thread (it sleeps once its queue is full).
        Assert.Equal((1, 1), (ThreadPlanner.Plan(1, null, null).IntraOpThreads, ThreadPlanner.Plan(1, null, null).Workers));
    }

    [Theory]
    [InlineData(8, 1, null, 1, 2)]       // --threads 1: the loader takes its share, the rest idles
    [InlineData(8, 6, null, 6, 2)]
    [InlineData(8, 7, null, 7, 1)]
    [InlineData(8, null, 4, 4, 4)]       // --workers 4: torch gets what is left
    [InlineData(4, null, null, 3, 1)]
    public void AGivenValueIsKeptAndTheOtherFillsTheRest(int cores, int? threads, int? workers, int expectThreads, int expectWorkers)
    {
        var plan = ThreadPlanner.Plan(cores, threads, workers);
        Assert.Equal((expectThreads, expectWorkers), (plan.IntraOpThreads, plan.Workers));
        Assert.Null(plan.Warning);
    }

    [Fact]
    public void ExplicitValuesThatOversubscribeAreKeptWithANote()
    {
        var plan = ThreadPlanner.Plan(2, 2, 2);
        Assert.Equal((2, 2), (plan.IntraOpThreads, plan.Workers));
        Assert.Contains("2 intra-op + 2 loader threads on 2 core(s)", plan.Warning);
        Assert.NotNull(ThreadPlanner.Plan(2, 4, null, loader: false).Warning);
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreadPlanner.Plan(2, 0, null));
    }
}
