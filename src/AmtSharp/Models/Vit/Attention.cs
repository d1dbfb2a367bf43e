using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AmtSharp.Models.Vit;

/// <summary>
/// Multi-head self-attention with a fused qkv projection (timm names: qkv, proj).
/// Training uses fused scaled-dot-product attention; <see cref="ForwardWithProbabilities"/> is the explicit
/// path that also returns softmax(q·kᵀ/√d), which only the AMT prior pass needs.
/// </summary>
public sealed class Attention : Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly int heads;

    public Attention(int width, int heads) : base(nameof(Attention))
    {
        this.heads = heads;
        qkv = Linear(width, width * 3, hasBias: true);
        proj = Linear(width, width, hasBias: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = Split(x);
        var o = Autocast.ScaledDotProductAttention(q, k, v);
        return Merge(o, x).MoveToOuterDisposeScope();
    }

    /// <summary>Explicit attention. Returns the output and the probabilities [B, heads, N, N].</summary>
    public (Tensor Output, Tensor Probabilities) ForwardWithProbabilities(Tensor x)
    {
        using var scope = NewDisposeScope();
        var probs = Probabilities(x, out var v);
        var o = Merge(Autocast.MatMul(probs, v), x);
        return (o.MoveToOuterDisposeScope(), probs.MoveToOuterDisposeScope());
    }

    /// <summary>Only the probabilities: what the prior pass needs from the last block.</summary>
    public Tensor Probabilities(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Probabilities(x, out _).MoveToOuterDisposeScope();
    }

    private Tensor Probabilities(Tensor x, out Tensor v)
    {
        var (q, k, vv) = Split(x);
        v = vv;
        double scale = 1.0 / Math.Sqrt(q.shape[3]);
        // The logits may be bfloat16 (autocast); the softmax, and so the AMT prior, is float32.
        return Autocast.Float(Autocast.MatMul(q, k.transpose(-2, -1))).mul(scale).softmax(-1);
    }

    // [B, N, C] -> q, k, v each [B, heads, N, C/heads]
    private (Tensor Q, Tensor K, Tensor V) Split(Tensor x)
    {
        long b = x.shape[0], n = x.shape[1], c = x.shape[2];
        var t = Autocast.Linear(qkv, x).reshape(b, n, 3, heads, c / heads).permute(2, 0, 3, 1, 4);
        return (t[0], t[1], t[2]);
    }

    // [B, heads, N, C/heads] -> [B, N, C], heads concatenated in order, then the output projection.
    private Tensor Merge(Tensor o, Tensor x) =>
        Autocast.Float(Autocast.Linear(proj, o.transpose(1, 2).reshape(x.shape[0], x.shape[1], x.shape[2])));
}
