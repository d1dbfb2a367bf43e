using System.Runtime.InteropServices;

namespace AmtSharp.Core;

/// <summary>
/// glibc malloc settings for libtorch's CPU tensors. By default glibc raises its mmap threshold each time a large
/// mmapped block is freed, so later activation-sized blocks come from the heap, which fragments and is not
/// returned to the OS: resident memory then grows step after step although no tensor leaks. A fixed threshold
/// (mallopt M_MMAP_THRESHOLD, the same as the MALLOC_MMAP_THRESHOLD_ environment variable) keeps it flat.
/// </summary>
public static partial class NativeAllocator
{
    private const int MmapThresholdParameter = -3;              // M_MMAP_THRESHOLD in malloc.h

    /// <summary>The largest threshold glibc accepts on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX).</summary>
    public const int MaxMmapThreshold = 32 * 1024 * 1024;

    /// <summary>Blocks of at least <paramref name="bytes"/> are mmapped and unmapped on free; disables glibc's dynamic threshold. False off glibc.</summary>
    public static bool TrySetMmapThreshold(int bytes)
    {
        if (bytes is < 0 or > MaxMmapThreshold)
        {
            throw new ConfigException("MmapThreshold", $"must be in [0, {MaxMmapThreshold}] bytes, got {bytes}");
        }
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return Mallopt(MmapThresholdParameter, bytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;                                       // musl and other C libraries have no mallopt
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
