using AmtSharp.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AmtSharp.Models;

/// <summary>
/// MAE's initialisation, seeded: xavier-uniform for every Linear and for the patch-embedding kernel seen as
/// [D, C·p·p]; zero biases; LayerNorm 1/0; tokens N(0, 0.02). TorchSharp's nn.init ignores its generator argument
/// and its trunc_normal_ fills every element with the std, so this draws with Tensor.uniform_/normal_ on a private
/// generator.
/// </summary>
public static class WeightInit
{
    public const double TokenStd = 0.02;

    /// <summary>Initialises every Linear, Conv2d (as a flattened linear) and LayerNorm below <paramref name="root"/>.</summary>
    public static void Apply(nn.Module root, Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var module in root.modules())
        {
            switch (module)
            {
                case Linear linear:
                    XavierUniform(linear.weight!, linear.weight!.shape[1], linear.weight.shape[0], generator);
                    linear.bias?.zero_();
                    break;
                case Conv2d conv:
                    var w = conv.weight!;
                    XavierUniform(w, w.shape[1] * w.shape[2] * w.shape[3], w.shape[0], generator);
                    conv.bias?.zero_();
                    break;
                case LayerNorm layerNorm:
                    layerNorm.weight?.fill_(1.0);
                    layerNorm.bias?.zero_();
                    break;
            }
        }
    }

    /// <summary>N(0, 0.02) for [CLS] and mask tokens.</summary>
    public static void Token(Tensor token, Generator generator)
    {
        using var noGrad = no_grad();
        token.normal_(0.0, TokenStd, generator);
    }

    /// <summary>A generator for a model's initialisation, derived from the run seed.</summary>
    public static Generator Generator(long seed) => new((ulong)Seeds.Derive(seed, Seeds.Purpose.Init));

    private static void XavierUniform(Tensor weight, long fanIn, long fanOut, Generator generator)
    {
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        weight.uniform_(-bound, bound, generator);
    }
}
