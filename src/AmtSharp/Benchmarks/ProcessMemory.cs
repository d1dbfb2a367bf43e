using System.Diagnostics;
using System.Text.Json.Serialization;
using TorchSharp;

namespace AmtSharp.Benchmarks;

/// <summary>Resident memory of this process at one moment, in bytes.</summary>
/// <param name="Step">Training steps completed when sampled.</param>
/// <param name="ResidentBytes">VmRSS: resident now (native tensors, managed heap and code).</param>
/// <param name="PeakResidentBytes">VmHWM: the highest resident size so far.</param>
/// <param name="ManagedBytes">The .NET heap (GC.GetTotalMemory without collecting).</param>
/// <param name="LiveTensors">Tensor objects not yet disposed (torch.Tensor.TotalCount): a leak shows here.</param>
public sealed record MemorySample(int Step, long ResidentBytes, long PeakResidentBytes, long ManagedBytes, long LiveTensors)
{
    [JsonIgnore]
    public double ResidentMiB => ResidentBytes / (1024.0 * 1024.0);
}

/// <summary>
/// Reads VmRSS and VmHWM from /proc/self/status. Those count native (libtorch) allocations, which the .NET
/// GC figures do not; off Linux the process working set stands in for both.
/// </summary>
public static class ProcessMemory
{
    private const string StatusFile = "/proc/self/status";

    public static MemorySample Sample(int step)
    {
        if (File.Exists(StatusFile))
        {
            long rss = -1, hwm = -1;
            foreach (var line in File.ReadLines(StatusFile))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = ParseKiB(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = ParseKiB(line);
                }
            }
            if (rss >= 0 && hwm >= 0)
            {
                return new MemorySample(step, rss, hwm, GC.GetTotalMemory(false), torch.Tensor.TotalCount);
            }
        }
        using var self = Process.GetCurrentProcess();
        return new MemorySample(step, self.WorkingSet64, self.PeakWorkingSet64, GC.GetTotalMemory(false), torch.Tensor.TotalCount);
    }

    /// <summary>
    /// Resets VmHWM to the current resident size (Linux: writing 5 to /proc/self/clear_refs), so the next peak
    /// belongs to what runs after it. Returns false where that is not possible; the peak is then the process's.
    /// </summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // "VmRSS:	  123456 kB" → bytes.
    internal static long ParseKiB(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !long.TryParse(parts[1], out long kib))
        {
            throw new FormatException($"unexpected {StatusFile} line '{line}'");
        }
        return kib * 1024;
    }
}
