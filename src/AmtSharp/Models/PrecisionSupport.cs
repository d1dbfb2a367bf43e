using System.Diagnostics;
using System.Globalization;
using AmtSharp.Core;
using static TorchSharp.torch;

namespace AmtSharp.Models;

/// <summary>The precision `auto` stands for, and why (printed by `amt info`).</summary>
public sealed record PrecisionChoice(ComputePrecision Precision, string Reason)
{
    public override string ToString() => $"{Precision.Name()}: {Reason}";
}

/// <summary>
/// Decides what `--precision auto` means on this machine. bfloat16 pays only where the CPU multiplies it natively
/// (AVX512-BF16 or AMX); elsewhere libtorch emulates it and it is slower than float32. Even with the flag, bf16 is
/// chosen only when a short matmul measurement in this process confirms it is faster.
/// </summary>
public static class PrecisionSupport
{
    /// <summary>/proc/cpuinfo flags of native bfloat16 arithmetic.</summary>
    public static readonly IReadOnlyList<string> NativeBf16Flags = ["avx512_bf16", "amx_bf16"];

    /// <summary>bf16 must beat float32 by this factor in the check, so noise alone never switches it on.</summary>
    public const double RequiredSpeedup = 1.2;

    private static readonly Lazy<PrecisionChoice> Detected = new(() => Choose(CpuFlags(), () => MeasureBf16Speedup()));

    /// <summary>The choice for this process (measured once, on first use).</summary>
    public static PrecisionChoice Auto => Detected.Value;

    /// <summary>
    /// The rule: fp32 without a native-bf16 flag (or with flags unknown: null); else bf16 when
    /// <paramref name="measureSpeedup"/> (bf16 rate / fp32 rate) reaches <see cref="RequiredSpeedup"/>.
    /// </summary>
    public static PrecisionChoice Choose(IReadOnlySet<string>? cpuFlags, Func<double> measureSpeedup)
    {
        if (cpuFlags is null)
        {
            return new(ComputePrecision.Fp32, "CPU flags are not readable on this OS (only Linux's /proc/cpuinfo is read)");
        }
        var native = NativeBf16Flags.Where(cpuFlags.Contains).ToList();
        if (native.Count == 0)
        {
            return new(ComputePrecision.Fp32, "CPU has no avx512_bf16/amx_bf16, so bf16 would be emulated and slower");
        }
        double speedup = measureSpeedup();
        string measured = string.Create(CultureInfo.InvariantCulture, $"a 512² matmul ran {speedup:F2}× as fast in bf16 as in fp32");
        return speedup >= RequiredSpeedup
            ? new(ComputePrecision.Bf16, $"CPU has {string.Join(" and ", native)} and {measured}")
            : new(ComputePrecision.Fp32, $"CPU has {string.Join(" and ", native)} but {measured} (bf16 needs {RequiredSpeedup.ToString(CultureInfo.InvariantCulture)}×)");
    }

    /// <summary>The flags of the first processor in /proc/cpuinfo; null when that file does not exist (not Linux).</summary>
    public static IReadOnlySet<string>? CpuFlags()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!OperatingSystem.IsLinux() || !File.Exists(cpuinfo))
        {
            return null;
        }
        foreach (var line in File.ReadLines(cpuinfo))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == "flags")
            {
                return new HashSet<string>(line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
            }
        }
        return new HashSet<string>();
    }

    /// <summary>
    /// 512² matmul rate in bf16 over the same in fp32, at the current thread count (about 0.15 s): the best of
    /// <paramref name="repeats"/> rounds of four products each, the two precisions interleaved after two warm-up rounds.
    /// A single product per timing after one warm-up measured 0.97–1.29× on a CPU where bf16 runs 2–6× faster, so `auto`
    /// flipped between runs; batches, interleaving and the longer warm-up steady it.
    /// </summary>
    public static double MeasureBf16Speedup(int size = 512, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(0);
        var a = randn([size, size], generator: generator);
        var b = randn([size, size], generator: generator);
        var a16 = a.to(ScalarType.BFloat16);
        var b16 = b.to(ScalarType.BFloat16);
        double fp32 = double.MaxValue, bf16 = double.MaxValue;
        for (int round = 0; round < repeats + 2; round++)
        {
            double f = SecondsPerProduct(a, b), h = SecondsPerProduct(a16, b16);
            if (round >= 2)
            {
                fp32 = Math.Min(fp32, f);
                bf16 = Math.Min(bf16, h);
            }
        }
        return fp32 / bf16;
    }

    private static double SecondsPerProduct(Tensor a, Tensor b, int products = 4)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < products; i++)
        {
            a.matmul(b).Dispose();
        }
        return clock.Elapsed.TotalSeconds / products;
    }
}
