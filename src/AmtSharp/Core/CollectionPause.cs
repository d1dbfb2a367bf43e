using System.Runtime;

namespace AmtSharp.Core;

/// <summary>
/// Holds off garbage collection for the span of one training step. TorchSharp 0.107 turns numbers into native
/// <c>Scalar</c>s implicitly (every tensor <c>a + b</c> passes alpha = 1 as one) and frees them only in finalizers. A
/// collection while libtorch runs the op can find such a Scalar dead, and the finalizer thread then frees it under the
/// op, which kills the process ("toFloat at Scalar.h:140"; TorchSharp PRs #1434 and #1496). Without a collection inside
/// the step, no Scalar in use is ever found dead; the step's garbage is collected between steps instead.
/// </summary>
/// <remarks>
/// The pause is process-wide: a second one started while the first holds (another thread) does nothing. A step that
/// allocates more than <see cref="Budget"/> ends the pause early (the runtime collects), which is no worse than before.
/// </remarks>
public sealed class CollectionPause : IDisposable
{
    /// <summary>Managed bytes one step may allocate (all threads together) before the runtime collects anyway.</summary>
    public const long Budget = 64L << 20;

    private readonly bool started;

    public CollectionPause()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            return; // another thread's pause holds
        }
        try
        {
            started = GC.TryStartNoGCRegion(Budget, disallowFullBlockingGC: true);   // an ephemeral collection makes room: cheaper
        }
        catch (InvalidOperationException)
        {
            // Another thread's pause holds.
        }
    }

    /// <summary>Whether this pause holds off collection (false when another one does, or the runtime refused).</summary>
    public bool Started => started;

    public void Dispose()
    {
        if (!started || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
        {
            return;
        }
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // The step outgrew the budget and the runtime collected: the pause had ended already.
        }
    }
}
