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
