using System.Runtime.InteropServices;
using TorchSharp;

namespace AmtSharp.Benchmarks;

/// <summary>
/// The machine and thread setting figures were taken on. Load averages are recorded because a busy machine
/// (another process on a core) changes CPU timings by large factors.
/// </summary>
/// <param name="CpuModel">"model name" from /proc/cpuinfo.</param>
/// <param name="LogicalCores">Cores this process may use (affinity respected).</param>
/// <param name="MemoryTotalBytes">MemTotal from /proc/meminfo.</param>
/// <param name="Os">Operating system description.</param>
/// <param name="Dotnet">.NET runtime.</param>
/// <param name="TorchSharp">TorchSharp assembly version.</param>
/// <param name="AmtSharp">Library version.</param>
/// <param name="IntraOpThreads">torch.get_num_threads().</param>
/// <param name="InterOpThreads">torch.get_num_interop_threads().</param>
/// <param name="ThreadVariables">OpenMP / MKL / malloc environment variables that were set (they change threading and memory).</param>
/// <param name="MmapThreshold">The fixed glibc mmap threshold set by --mmap-threshold, or null (glibc's dynamic default).</param>
/// <param name="LoadAverage">1, 5 and 15-minute load averages from /proc/loadavg when captured.</param>
/// <param name="CapturedUtc">When.</param>
public sealed record BenchEnvironment(
    string CpuModel,
    int LogicalCores,
    long MemoryTotalBytes,
    string Os,
    string Dotnet,
    string TorchSharp,
    string AmtSharp,
    int IntraOpThreads,
    int InterOpThreads,
    IReadOnlyDictionary<string, string> ThreadVariables,
    int? MmapThreshold,
    IReadOnlyList<double> LoadAverage,
    DateTimeOffset CapturedUtc)
{
    private static readonly string[] ThreadVariableNames =
        ["OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OMP_PROC_BIND", "GOMP_SPINCOUNT", "MKL_NUM_THREADS", "MKL_DYNAMIC", "KMP_BLOCKTIME",
         "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_ARENA_MAX", "LD_PRELOAD"];

    public static BenchEnvironment Capture(int? mmapThreshold = null) => new(
        ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        ParseKiBField(ReadField("/proc/meminfo", "MemTotal")),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        LibraryInfo.Version,
        torch.get_num_threads(),
        torch.get_num_interop_threads(),
        ThreadVariableNames.Where(n => Environment.GetEnvironmentVariable(n) is not null)
            .ToDictionary(n => n, n => Environment.GetEnvironmentVariable(n)!),
        mmapThreshold,
        ReadLoadAverage(),
        DateTimeOffset.UtcNow);

    /// <summary>The 1, 5 and 15-minute load averages, or empty where /proc/loadavg does not exist.</summary>
    public static IReadOnlyList<double> ReadLoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return [];
        }
        var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Take(3).Select(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    private static string? ReadField(string path, string name)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        foreach (var line in File.ReadLines(path))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == name)
            {
                return line[(colon + 1)..].Trim();
            }
        }
        return null;
    }

    private static long ParseKiBField(string? value) =>
        value is not null && long.TryParse(value.Split(' ')[0], out long kib) ? kib * 1024 : 0;
}
