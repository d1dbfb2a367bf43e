using System.Diagnostics;
using AmtSharp.Amt;
using AmtSharp.Models.Vit;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AmtSharp.Benchmarks;

/// <summary>Forward + backward cost of one transformer block at a given sequence, split by kind of work.</summary>
/// <param name="Part">"encoder" or "decoder".</param>
/// <param name="Blocks">How many such blocks a step runs.</param>
/// <param name="BatchSize">Sequences per call.</param>
/// <param name="Tokens">Tokens per sequence.</param>
/// <param name="Width">Token width.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="BlockMs">A whole <see cref="Block"/>, forward + backward (median).</param>
/// <param name="GemmMs">Its four linear layers alone (qkv, proj, fc1, fc2), forward + backward.</param>
/// <param name="AttentionMs">Its scaled-dot-product attention alone, forward + backward.</param>
/// <param name="OtherMs">Block − GEMMs − attention: norms, GELU, residual adds, head reshapes and copies (≥ 0).</param>
/// <param name="GemmFlopsPerSecond">The linears' FLOPs (3 × 2·B·N·(4D² + 2·D·H_mlp)) / GemmMs.</param>
/// <param name="AttentionFlopsPerSecond">Attention FLOPs (3 × 4·B·N²·D) / AttentionMs.</param>
public sealed record BlockCost(
    string Part, int Blocks, int BatchSize, int Tokens, int Width, int Heads,
    double BlockMs, double GemmMs, double AttentionMs, double OtherMs,
    double GemmFlopsPerSecond, double AttentionFlopsPerSecond);

/// <summary>
/// Where one method's measured step goes. Block costs are measured in isolation and multiplied by the number of
/// blocks; "outside blocks" is the measured forward + backward minus all blocks (patch embedding, gathers, the
/// loss, MAE's decoder_embed / decoder_pred, SimMIM's head). Shares are of the whole measured step.
/// </summary>
/// <param name="Method">The method profiled.</param>
/// <param name="StepMs">Measured mean step (plan + forward + backward + optimizer).</param>
/// <param name="Parts">The block costs.</param>
/// <param name="GemmShare">Linear layers in all blocks.</param>
/// <param name="AttentionShare">Scaled-dot-product attention in all blocks.</param>
/// <param name="OtherInBlocksShare">Norms, GELU, adds and copies in all blocks.</param>
/// <param name="OutsideBlocksShare">Forward + backward work outside the blocks (may be negative from noise).</param>
/// <param name="PlanShare">Mask plan (AMT's prior mapping and draw).</param>
/// <param name="OptimizerShare">AdamW step and zero_grad (and clipping).</param>
/// <param name="GemmEfficiency">Block GEMM FLOP/s over the matmul peak: how well these shapes use the BLAS.</param>
public sealed record StepProfile(
    string Method, double StepMs, IReadOnlyList<BlockCost> Parts,
    double GemmShare, double AttentionShare, double OtherInBlocksShare, double OutsideBlocksShare,
    double PlanShare, double OptimizerShare, double? GemmEfficiency);

/// <summary>
/// A manual profile (TorchSharp 0.107 has no torch.profiler): time one block and its GEMM and attention parts
/// separately at the step's real shapes, then attribute the measured step.
/// </summary>
public static class StepProfiler
{
    public static StepProfile Profile(TrainStepResult step, BenchMethod method, BenchModel model, int repeats = 2, double? peakFlopsPerSecond = null)
    {
        var config = method.Config(model, step.BatchSize);
        var e = config.Encoder;
        var parts = new List<BlockCost>
        {
            Measure("encoder", e.Depth, step.BatchSize, step.Tokens.Encoder, e.Width, e.Heads, e.MlpHidden, repeats),
        };
        if (config.Method == MimMethod.Mae)
        {
            var d = config.MaeModel.Decoder;
            parts.Add(Measure("decoder", d.Depth, step.BatchSize, step.Tokens.Decoder, d.Width, d.Heads, d.MlpHidden, repeats));
        }
        double total = step.MsPerStep;
        double gemm = parts.Sum(p => p.Blocks * p.GemmMs);
        double attention = parts.Sum(p => p.Blocks * p.AttentionMs);
        double other = parts.Sum(p => p.Blocks * p.OtherMs);
        double blocks = parts.Sum(p => p.Blocks * p.BlockMs);
        double outside = step.Phases.ForwardMs + step.Phases.BackwardMs - blocks;
        double gemmFlops = parts.Sum(p => p.Blocks * p.GemmFlopsPerSecond * p.GemmMs) / Math.Max(gemm, 1e-12);
        return new StepProfile(step.Method, total, parts, gemm / total, attention / total, other / total, outside / total,
            step.Phases.PlanMs / total, step.Phases.OptimizerMs / total,
            peakFlopsPerSecond is > 0 ? gemmFlops / peakFlopsPerSecond.Value : null);
    }

    /// <summary>Times a block, its linears and its attention (forward + backward) at [B, N, D]; medians of <paramref name="repeats"/> after a warm-up.</summary>
    public static BlockCost Measure(string part, int blocks, int batch, int tokens, int width, int heads, int mlpHidden, int repeats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        using var scope = NewDisposeScope();
        using var block = new Block(width, heads, mlpHidden);
        using var qkv = nn.Linear(width, 3 * width);
        using var proj = nn.Linear(width, width);
        using var fc1 = nn.Linear(width, mlpHidden);
        using var fc2 = nn.Linear(mlpHidden, width);
        var x = randn([batch, tokens, width]).requires_grad_();
        var hidden = randn([batch, tokens, mlpHidden]).requires_grad_();
        int headDim = width / heads;
        var q = randn([batch, heads, tokens, headDim]).requires_grad_();
        var k = randn([batch, heads, tokens, headDim]).requires_grad_();
        var v = randn([batch, heads, tokens, headDim]).requires_grad_();

        double blockMs = Time(() => Backward(block.call(x)), repeats);
        double gemmMs = Time(() =>
        {
            Backward(qkv.call(x));
            Backward(proj.call(x));
            Backward(fc1.call(x));
            Backward(fc2.call(hidden));
        }, repeats);
        double attentionMs = Time(() => Backward(F.scaled_dot_product_attention(q, k, v)), repeats);

        double b = batch, n = tokens, dd = width;
        double gemmFlops = 3 * 2 * b * n * (4 * dd * dd + 2 * dd * mlpHidden);
        double attentionFlops = 3 * 4 * b * n * n * dd;
        return new BlockCost(part, blocks, batch, tokens, width, heads, blockMs, gemmMs, attentionMs,
            Math.Max(0, blockMs - gemmMs - attentionMs), gemmFlops / (gemmMs / 1000), attentionFlops / (attentionMs / 1000));
    }

    // Backward from an upstream gradient of ones: no extra reduction op in the timed work.
    private static void Backward(Tensor output)
    {
        using var scope = NewDisposeScope();
        output.backward([ones_like(output)]);
    }

    private static double Time(Action action, int repeats)
    {
        var times = new List<double>();
        for (int r = -1; r < repeats; r++)                  // r = −1: untimed warm-up
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            action();
            if (r >= 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        return TrainStepBenchmark.Median(times);
    }
}
