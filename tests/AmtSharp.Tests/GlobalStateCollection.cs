using Xunit;

namespace AmtSharp.Tests;

/// <summary>
/// Tests that read or change process-wide state run in this collection, alone and after the parallel ones: the
/// live-tensor count after <see cref="GC.Collect()"/> (any other test's tensors move it), torch's intra-op thread
/// count (which changes float results; every computing `amt` command run in-process sets it) and the global random
/// generator. The rest of the suite runs in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalStateCollection
{
    public const string Name = "Global state";
}
