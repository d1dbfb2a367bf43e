using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AmtSharp.Tests.Training;

/// <summary>A stand-in with timm-style parameter names (the real ViT lives elsewhere).</summary>
internal sealed class TinyBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Linear fc;

    public TinyBlock(int d) : base(nameof(TinyBlock))
    {
        norm1 = LayerNorm(d, eps: 1e-6);
        fc = Linear(d, d);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x + functional.gelu(fc.forward(norm1.forward(x)));
}

internal sealed class PatchEmbed : Module<Tensor, Tensor>
{
    private readonly Linear proj;

    public PatchEmbed(int inDim, int d) : base(nameof(PatchEmbed))
    {
        proj = Linear(inDim, d);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => proj.forward(x);
}

internal sealed class TinyVit : Module<Tensor, Tensor>
{
    private readonly Parameter cls_token;
    private readonly Parameter pos_embed;
    private readonly PatchEmbed patch_embed;
    private readonly ModuleList<TinyBlock> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;

    public const int Tokens = 3;
    public const int InDim = 5;

    public TinyVit(int d = 8, int depth = 2, int classes = 3, long seed = 1) : base(nameof(TinyVit))
    {
        // A private generator, not the global one that tests running in parallel share.
        using var generator = new Generator((ulong)seed);
        cls_token = Parameter(torch.randn([1, 1, d], generator: generator) * 0.02);
        pos_embed = Parameter(torch.randn([1, Tokens + 1, d], generator: generator), requires_grad: false);
        patch_embed = new PatchEmbed(InDim, d);
        blocks = new ModuleList<TinyBlock>(Enumerable.Range(0, depth).Select(_ => new TinyBlock(d)).ToArray());
        norm = LayerNorm(d, eps: 1e-6);
        head = Linear(d, classes);
        RegisterComponents();
        using (torch.no_grad())
        {
            // Linear's own init draws from the global generator; redraw it (same bounds) from the private one.
            foreach (var linear in modules().OfType<Linear>())
            {
                double bound = 1 / Math.Sqrt(linear.in_features);
                linear.weight!.uniform_(-bound, bound, generator);
                linear.bias?.uniform_(-bound, bound, generator);
            }
        }
    }

    public int Depth => blocks.Count;

    /// <summary>x: [B, Tokens, InDim] → logits [B, classes] from the CLS token.</summary>
    public override Tensor forward(Tensor x)
    {
        var t = patch_embed.forward(x);
        var cls = cls_token.expand(x.shape[0], -1, -1);
        t = torch.cat(new[] { cls, t }, 1) + pos_embed;
        foreach (var b in blocks)
        {
            t = b.forward(t);
        }
        return head.forward(norm.forward(t)[.., 0]);
    }
}
