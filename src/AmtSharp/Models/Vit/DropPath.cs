using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AmtSharp.Models.Vit;

/// <summary>
/// Stochastic depth (Huang et al. 2016, timm's DropPath): in training mode, each sample's residual branch is
/// zeroed with probability <see cref="Rate"/> and the kept ones are scaled by 1 / (1 − rate), so the expected
/// output is unchanged. Identity in evaluation mode or at rate 0. The draw comes from <see cref="Generator"/>,
/// which the trainer sets per step, so a run seed fixes every mask.
/// </summary>
public sealed class DropPath : Module<Tensor, Tensor>
{
    public DropPath(double rate) : base(nameof(DropPath))
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "drop-path rate must be in [0, 1)");
        }
        Rate = rate;
    }

    public double Rate { get; }

    /// <summary>The source of the per-sample draws; required whenever the module is active.</summary>
    public Generator? Generator { get; set; }

    /// <summary>True when forward actually drops paths (training mode and a positive rate).</summary>
    public bool IsActive => training && Rate > 0;

    public override Tensor forward(Tensor x)
    {
        if (!IsActive)
        {
            return x.alias();
        }
        var generator = Generator ?? throw new InvalidOperationException(
            "DropPath is active but has no generator; set VisionTransformer.DropPathGenerator before each training step");
        using var scope = NewDisposeScope();
        double keep = 1.0 - Rate;
        // One draw per sample, broadcast over the remaining dimensions. Drawn on the CPU (a CPU generator)
        // and moved, so the masks are the same on every device.
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        var mask = rand(shape, generator: generator).lt(keep).to(x.dtype, x.device).div_(keep);
        return x.mul(mask).MoveToOuterDisposeScope();
    }
}
