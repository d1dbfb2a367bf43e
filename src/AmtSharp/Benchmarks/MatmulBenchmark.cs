using System.Diagnostics;
using AmtSharp.Core;
using static TorchSharp.torch;

namespace AmtSharp.Benchmarks;

/// <summary>One square float32 GEMM size: best and median of the timed repeats.</summary>
/// <param name="Size">n of the n×n · n×n product (2n³ FLOPs).</param>
/// <param name="Repeats">Timed repeats (after one untimed warm-up).</param>
/// <param name="BestSeconds">Fastest repeat.</param>
/// <param name="BestFlopsPerSecond">2n³ / best time.</param>
/// <param name="MedianFlopsPerSecond">2n³ / median time.</param>
public sealed record MatmulSize(int Size, int Repeats, double BestSeconds, double BestFlopsPerSecond, double MedianFlopsPerSecond);

/// <summary>The peak matrix-multiply rate of this process in one number format: the best over all sizes, at the stated thread count.</summary>
/// <param name="IntraOpThreads">torch.get_num_threads() during the measurement.</param>
/// <param name="Sizes">Per-size figures.</param>
/// <param name="PeakFlopsPerSecond">Best over sizes and repeats: the MFU denominator of steps in this precision.</param>
/// <param name="Precision">fp32 or bf16: the operands' format.</param>
public sealed record MatmulResult(int IntraOpThreads, IReadOnlyList<MatmulSize> Sizes, double PeakFlopsPerSecond, string Precision = "fp32");

/// <summary>
/// Measures float32 (or bfloat16) GEMM throughput with large square products (what libtorch's BLAS does best), in the same
/// process and thread setting as the training steps, so MFU compares like with like.
/// </summary>
public static class MatmulBenchmark
{
    public static IReadOnlyList<int> DefaultSizes { get; } = [2048, 3072, 4096];

    /// <summary>Sizes after one whose best product took longer than this are skipped.</summary>
    public const double MaxSecondsPerProduct = 2.0;

    public static MatmulResult Run(IReadOnlyList<int> sizes, int repeats, long seed = 0, ComputePrecision precision = ComputePrecision.Fp32)
    {
        var type = precision == ComputePrecision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        if (sizes.Count == 0)
        {
            throw new ArgumentException("need at least one size", nameof(sizes));
        }
        var results = new List<MatmulSize>();
        using var generator = new Generator((ulong)seed);
        foreach (int n in sizes.Order())
        {
            // Where bf16 is emulated (no AVX512-BF16 / AMX) one large product takes minutes: once a size takes
            // longer than MaxSecondsPerProduct, larger ones are skipped and the peak is the best of those run.
            if (results.Count > 0 && results[^1].BestSeconds > MaxSecondsPerProduct)
            {
                break;
            }
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
            using var scope = NewDisposeScope();
            var a = randn([n, n], generator: generator).to(type);
            var b = randn([n, n], generator: generator).to(type);
            a.matmul(b).Dispose();                                 // warm-up: the first call pays for buffers and thread start
            var times = new double[repeats];
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                using (a.matmul(b))
                {
                    times[r] = clock.Elapsed.TotalSeconds;
                }
            }
            Array.Sort(times);
            double flops = 2.0 * n * n * (double)n;
            results.Add(new MatmulSize(n, repeats, times[0], flops / times[0], flops / times[repeats / 2]));
        }
        return new MatmulResult(get_num_threads(), results, results.Max(r => r.BestFlopsPerSecond), precision.Name());
    }
}
