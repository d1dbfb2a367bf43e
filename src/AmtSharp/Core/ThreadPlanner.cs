using System.Globalization;

namespace AmtSharp.Core;

/// <summary>Torch intra-op threads and data-loader workers, chosen together.</summary>
/// <param name="IntraOpThreads">torch.set_num_threads.</param>
/// <param name="Workers">Loader threads (0 when the command runs no loader).</param>
/// <param name="Cores">The cores the plan was made for.</param>
/// <param name="Warning">Set when explicit values ask for more threads than cores: one line for the user.</param>
public sealed record ThreadPlan(int IntraOpThreads, int Workers, int Cores, string? Warning = null)
{
    public string Describe() => Workers > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{IntraOpThreads} intra-op + {Workers} loader thread(s) on {Cores} core(s)")
        : string.Create(CultureInfo.InvariantCulture, $"{IntraOpThreads} intra-op thread(s) on {Cores} core(s)");
}

/// <summary>
/// Chooses intra-op threads and loader workers so that together they ask for no more cores than exist. libgomp's
/// barriers wait for every intra-op thread; a thread descheduled because the loader (or another process) took its core
/// stalls the whole step, which made a busy 2-core machine 15× slower with 2 + 2 threads (issue 16).
/// </summary>
public static class ThreadPlanner
{
    /// <summary>Cores this process may run on: .NET's count honours the affinity mask and cgroup CPU limits.</summary>
    public static int AvailableCores => Environment.ProcessorCount;

    /// <summary>
    /// The plan for <paramref name="cores"/> cores. Values the user gave (non-null) are kept as given; the others
    /// take what is left: a quarter of the cores (at least one, at most four) for the loader, the rest for torch.
    /// Explicit values that together exceed the cores are kept too, with a <see cref="ThreadPlan.Warning"/>.
    /// Only on a single core does an automatic plan hold two threads, because a loader needs one of its own: it
    /// sleeps once its prefetch queue is full.
    /// </summary>
    public static ThreadPlan Plan(int cores, int? threads, int? workers, bool loader = true)
    {
        cores = Math.Max(1, cores);
        if (threads is < 1 || workers is < 1)
        {
            throw new ArgumentOutOfRangeException(threads is < 1 ? nameof(threads) : nameof(workers), "explicit values must be at least 1 (null = choose)");
        }
        if (!loader)
        {
            int alone = threads ?? cores;
            return new ThreadPlan(alone, 0, cores, alone > cores ? Oversubscribed(alone, 0, cores) : null);
        }
        int autoWorkers = Math.Clamp(cores / 4, 1, 4);
        int w = workers ?? Math.Max(1, Math.Min(autoWorkers, cores - (threads ?? 0)));
        int t = threads ?? Math.Max(1, cores - w);
        bool explicitOnly = threads is not null || workers is not null;
        return new ThreadPlan(t, w, cores, explicitOnly && t + w > cores && cores > 1 ? Oversubscribed(t, w, cores) : null);
    }

    private static string Oversubscribed(int threads, int workers, int cores) => string.Create(CultureInfo.InvariantCulture,
        $"note: {threads} intra-op{(workers > 0 ? $" + {workers} loader" : "")} threads on {cores} core(s): a step stalls whenever one of them waits for a core (omit {Setting.Mention("Threads")} and {Setting.Mention("Workers")} to fit them to the cores)");
}
