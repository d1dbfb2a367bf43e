using TorchSharp;
using TorchSharp.Modules;

namespace AmtSharp.Training.Optim;

/// <summary>AdamW settings; defaults are MAE pre-training's (docs/method.md#pretrain-mae).</summary>
public sealed record AdamWConfig(double Lr, double Beta1 = 0.9, double Beta2 = 0.95, double Eps = 1e-8, double WeightDecay = 0.05);

/// <summary>Builds AdamW from <see cref="ParamGroupSpec"/>s.</summary>
public static class AdamWFactory
{
    /// <summary>
    /// Uses the Options form of ParamGroup: the convenience ParamGroup constructor silently sets lr = 1e-3
    /// whatever the optimizer's lr. Each group's lr starts at Lr × LrScale. Build after any .to(device), which
    /// replaces the Parameter objects (an optimizer built before it fails at step()), and outside a dispose
    /// scope (AdamW allocates its state tensors here).
    /// </summary>
    public static AdamW Create(IReadOnlyList<ParamGroupSpec> groups, AdamWConfig config)
    {
        var pgs = groups.Select(g => new AdamW.ParamGroup(
            g.Parameters.ToList(),
            new AdamW.Options
            {
                LearningRate = config.Lr * g.LrScale,
                beta1 = config.Beta1,
                beta2 = config.Beta2,
                eps = config.Eps,
                weight_decay = g.WeightDecay,
                amsgrad = false,
                maximize = false,
            })).ToList();
        return torch.optim.AdamW(pgs, lr: config.Lr, beta1: config.Beta1, beta2: config.Beta2, eps: config.Eps, weight_decay: config.WeightDecay);
    }
}
