using AmtSharp.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AmtSharp.Models;

/// <summary>
/// PyTorch's CPU autocast, by hand (TorchSharp 0.107 has no autocast): inside <see cref="Enter"/> with
/// <see cref="ComputePrecision.Bf16"/>, the modules' matrix products (linear layers, the explicit attention products,
/// the patch-embedding convolution) cast their inputs and float32 weights to bfloat16, so gradients flow back to float32 master weights
/// and AdamW keeps float32 state. Modules return float32 at their boundary, so LayerNorm, residual sums, softmax
/// and the loss stay float32. Outside a scope (or with Fp32) every helper is the plain float32 call, bit for bit.
/// The setting is per thread of control, like autocast's; the scope restores the previous one.
/// </summary>
public static class Autocast
{
    private static readonly AsyncLocal<ComputePrecision> Ambient = new();

    /// <summary>The precision modules compute in here and now.</summary>
    public static ComputePrecision Current => Ambient.Value;

    private static bool Low => Ambient.Value == ComputePrecision.Bf16;

    /// <summary>Computes in <paramref name="precision"/> until disposed.</summary>
    public static IDisposable Enter(ComputePrecision precision)
    {
        var previous = Ambient.Value;
        Ambient.Value = precision;
        return new Restore(previous);
    }

    /// <summary>A linear layer; bfloat16 output under Bf16 (pass it to <see cref="Float"/> at the module's boundary).</summary>
    public static Tensor Linear(Linear layer, Tensor x) => Low ? Linear(x, layer.weight!, layer.bias) : layer.call(x);

    /// <summary>x·Wᵀ + b; bfloat16 output under Bf16.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias) =>
        Low ? F.linear(ToLow(x), ToLow(weight), bias is null ? null : ToLow(bias)) : F.linear(x, weight, bias);

    /// <summary>A 2-D convolution layer; bfloat16 output under Bf16.</summary>
    public static Tensor Conv2d(Conv2d layer, Tensor x) => Low
        ? F.conv2d(ToLow(x), ToLow(layer.weight!), layer.bias is null ? null : ToLow(layer.bias), layer.stride, layer.padding, layer.dilation, layer.groups)
        : layer.call(x);

    /// <summary>
    /// Fused scaled-dot-product attention, in float32 even under Bf16 (q, k and v come from the bfloat16 qkv projection):
    /// libtorch 2.10's bfloat16 CPU kernel is slower than its float32 one at ViT shapes (forward + backward 1.1–10× in
    /// docs/benchmarks.md), and with it a bf16 training step was no faster than fp32. Its output is float32.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v) =>
        Low ? F.scaled_dot_product_attention(Float(q), Float(k), Float(v)) : F.scaled_dot_product_attention(q, k, v);

    /// <summary>a·b; bfloat16 output under Bf16.</summary>
    public static Tensor MatMul(Tensor a, Tensor b) => Low ? ToLow(a).matmul(ToLow(b)) : a.matmul(b);

    /// <summary>The tensor in float32 (itself when it already is): where a module hands its result on.</summary>
    public static Tensor Float(Tensor t) => t.dtype == ScalarType.Float32 ? t : t.to(ScalarType.Float32);

    private static Tensor ToLow(Tensor t) => t.dtype == ScalarType.BFloat16 ? t : t.to(ScalarType.BFloat16);

    private sealed class Restore(ComputePrecision previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (!disposed)
            {
                Ambient.Value = previous;
                disposed = true;
            }
        }
    }
}
