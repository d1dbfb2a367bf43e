using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AmtSharp.Models.Vit;

/// <summary>Conv2d(C, D, kernel p, stride p): [B, C, S, S] → [B, L, D] in raster order (timm: patch_embed.proj).</summary>
public sealed class PatchEmbed : Module<Tensor, Tensor>
{
    private readonly Conv2d proj;

    public PatchEmbed(int inChannels, int width, int patchSize) : base(nameof(PatchEmbed))
    {
        proj = Conv2d(inChannels, width, kernel_size: patchSize, stride: patchSize, bias: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor images)
    {
        using var g = Autocast.Conv2d(proj, images);  // [B, D, G, G]
        return Autocast.Float(g.flatten(2).transpose(1, 2));   // [B, L, D]
    }
}
