using TorchSharp;
using TorchSharp.Modules;

namespace AmtSharp.Training.Optim;

/// <summary>Gradient utilities.</summary>
public static class Gradients
{
    /// <summary>Clips the total L2 norm of the gradients in place; returns the norm before clipping.</summary>
    public static double ClipNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        using var scope = torch.NewDisposeScope(); // each .grad access makes a handle; release them here
        var withGrad = parameters.Where(p => p.grad is not null).ToList();
        if (withGrad.Count == 0)
        {
            return 0.0;
        }
        return torch.nn.utils.clip_grad_norm_(withGrad, maxNorm);
    }

    /// <summary>Total L2 norm of the gradients, without clipping (for logging).</summary>
    public static double Norm(IEnumerable<Parameter> parameters)
    {
        using var scope = torch.NewDisposeScope();
        double sq = 0;
        using (torch.no_grad())
        {
            foreach (var p in parameters)
            {
                var g = p.grad;
                if (g is not null)
                {
                    sq += g.to_type(torch.ScalarType.Float64).square().sum().item<double>();
                }
            }
        }
        return Math.Sqrt(sq);
    }
}

/// <summary>
/// Tracks micro-batches for gradient accumulation: scale each micro-batch loss by <see cref="LossScale"/>
/// before backward; step when <see cref="Tick"/> returns true. The summed grads then equal the full-batch grads.
/// </summary>
public sealed class GradientAccumulator(int steps)
{
    private int _count;

    /// <summary>Micro-batches per optimizer step.</summary>
    public int Steps { get; } = steps > 0 ? steps : throw new ArgumentOutOfRangeException(nameof(steps));

    /// <summary>Multiply each micro-batch loss by this before backward.</summary>
    public double LossScale => 1.0 / Steps;

    /// <summary>Records one micro-batch; true when the optimizer should step (and grads be zeroed).</summary>
    public bool Tick()
    {
        _count++;
        if (_count < Steps)
        {
            return false;
        }
        _count = 0;
        return true;
    }
}
