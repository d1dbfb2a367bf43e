using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace AmtSharp.Training.Optim;

/// <summary>LARS settings; defaults are MAE's linear probe (docs/method.md#linear-probe, #lars).</summary>
public sealed record LarsConfig(double Lr, double WeightDecay = 0.0, double Momentum = 0.9, double TrustCoefficient = 0.001);

/// <summary>
/// LARS as in MAE's linear probe (docs/method.md#lars). Parameters with more than one dimension get weight
/// decay and the trust-ratio scaling; 1-D parameters (biases) get plain momentum SGD. The update runs as
/// tensor ops under no_grad, so it never synchronises on a norm.
/// </summary>
public sealed class Lars : IDisposable
{
    /// <summary>A parameter group; its lr is driven by <see cref="LrSchedule"/>.</summary>
    public sealed class Group(IReadOnlyList<Parameter> parameters, double lr, double weightDecay) : ILearningRateController
    {
        public IReadOnlyList<Parameter> Parameters { get; } = parameters;
        public double LearningRate { get; set; } = lr;
        public double InitialLearningRate { get; set; } = lr;
        public double WeightDecay { get; set; } = weightDecay;
    }

    private readonly List<Group> _groups;
    private readonly List<Tensor> _momentum = new();
    private bool _disposed;

    /// <summary>Settings this optimizer was built with.</summary>
    public LarsConfig Config { get; }

    /// <summary>One group with every parameter.</summary>
    public Lars(IEnumerable<Parameter> parameters, LarsConfig config)
        : this(new[] { new ParamGroupSpec("all", parameters.ToList(), Array.Empty<string>(), config.WeightDecay, 1.0) }, config)
    {
    }

    /// <summary>One LARS group per spec; group lr = Lr × LrScale, weight decay from the spec.</summary>
    public Lars(IReadOnlyList<ParamGroupSpec> groups, LarsConfig config)
    {
        Config = config;
        _groups = groups.Select(g => new Group(g.Parameters.ToList(), config.Lr * g.LrScale, g.WeightDecay)).ToList();
        foreach (var p in _groups.SelectMany(g => g.Parameters))
        {
            // Zeros are equivalent to MAE's lazy "mu = dp" on the first step.
            _momentum.Add(torch.zeros_like(p).requires_grad_(false).DetachFromDisposeScope());
        }
    }

    /// <summary>Parameter groups (for <see cref="LrSchedule.Apply(IEnumerable{ILearningRateController}, IReadOnlyList{double}, double)"/>).</summary>
    public IReadOnlyList<Group> ParamGroups => _groups;

    /// <summary>All parameters, in group order.</summary>
    public IEnumerable<Parameter> Parameters => _groups.SelectMany(g => g.Parameters);

    /// <summary>Applies one update from the current gradients.</summary>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        int i = 0;
        foreach (var group in _groups)
        {
            foreach (var p in group.Parameters)
            {
                var mu = _momentum[i++];
                var grad = p.grad;
                if (grad is null)
                {
                    continue;
                }
                Tensor dp = grad;
                if (p.ndim > 1)
                {
                    if (group.WeightDecay != 0)
                    {
                        dp = dp.add(p, alpha: group.WeightDecay);
                    }
                    var pn = p.norm();
                    var gn = dp.norm();
                    var ok = pn.gt(0).logical_and(gn.gt(0));
                    var q = torch.where(ok, pn.div(gn).mul_(Config.TrustCoefficient), torch.ones_like(pn));
                    dp = dp.mul(q);
                }
                mu.mul_(Config.Momentum).add_(dp);
                p.add_(mu, alpha: -group.LearningRate);
            }
        }
    }

    /// <summary>Zeroes gradients in place.</summary>
    public void ZeroGrad()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope(); // grad handles and in-place aliases
        foreach (var p in Parameters)
        {
            p.grad?.zero_();
        }
    }

    /// <summary>
    /// Momentum buffers as named tensors ("mu.{index}" in parameter order). These are the live buffers,
    /// not copies: write them out before the next step, and do not dispose them.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < _momentum.Count; i++)
        {
            d[$"mu.{i}"] = _momentum[i];
        }
        return d;
    }

    /// <summary>Copies momentum buffers in; throws <see cref="ArgumentException"/> naming any missing or mis-shaped entry.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        var problems = new List<string>();
        for (int i = 0; i < _momentum.Count; i++)
        {
            string key = $"mu.{i}";
            if (!state.TryGetValue(key, out var src))
            {
                problems.Add($"missing '{key}'");
            }
            else if (!src.shape.SequenceEqual(_momentum[i].shape))
            {
                problems.Add($"'{key}' has shape [{string.Join(",", src.shape)}], expected [{string.Join(",", _momentum[i].shape)}]");
            }
        }
        problems.AddRange(state.Keys.Where(k => !IsMomentumKey(k, _momentum.Count)).Select(k => $"unexpected '{k}'"));
        if (problems.Count > 0)
        {
            throw new ArgumentException("LARS state does not match: " + string.Join("; ", problems));
        }
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _momentum.Count; i++)
        {
            _momentum[i].copy_(state[$"mu.{i}"]);
        }
    }

    private static bool IsMomentumKey(string key, int count) =>
        key.StartsWith("mu.", StringComparison.Ordinal) && int.TryParse(key.AsSpan(3), out int i) && i >= 0 && i < count;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var t in _momentum)
        {
            t.Dispose();
        }
        _momentum.Clear();
    }
}
