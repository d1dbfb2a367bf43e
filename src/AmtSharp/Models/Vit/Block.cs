using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AmtSharp.Models.Vit;

/// <summary>
/// Pre-norm transformer block: y = x + drop_path(attn(norm1(x))); out = y + drop_path(mlp(norm2(y))). LayerNorm eps 1e-6.
/// Drop path (stochastic depth) is off unless a rate is given (fine-tuning); it has no parameters, so the state dict
/// is the same either way.
/// </summary>
public sealed class Block : Module<Tensor, Tensor>
{
    internal const double NormEps = 1e-6;

    private readonly LayerNorm norm1;
    private readonly Attention attn;
    private readonly LayerNorm norm2;
    private readonly Mlp mlp;
    private readonly DropPath drop_path;

    public Block(int width, int heads, int mlpHidden, double dropPath = 0.0) : base(nameof(Block))
    {
        norm1 = LayerNorm(width, eps: NormEps);
        attn = new Attention(width, heads);
        norm2 = LayerNorm(width, eps: NormEps);
        mlp = new Mlp(width, mlpHidden);
        drop_path = new DropPath(dropPath);
        RegisterComponents();
    }

    /// <summary>This block's stochastic-depth module (rate and generator).</summary>
    public DropPath DropPath => drop_path;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = x + drop_path.call(attn.call(norm1.call(x)));
        return (y + drop_path.call(mlp.call(norm2.call(y)))).MoveToOuterDisposeScope();
    }

    /// <summary>The same block through the explicit attention path; also returns the probabilities.</summary>
    public (Tensor Output, Tensor Probabilities) ForwardWithAttention(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (a, probs) = attn.ForwardWithProbabilities(norm1.call(x));
        var y = x + drop_path.call(a);
        var output = y + drop_path.call(mlp.call(norm2.call(y)));
        return (output.MoveToOuterDisposeScope(), probs.MoveToOuterDisposeScope());
    }

    /// <summary>Attention probabilities of this block for input x, without the rest of the block.</summary>
    public Tensor AttentionProbabilities(Tensor x)
    {
        using var n = norm1.call(x);
        return attn.Probabilities(n);
    }
}
