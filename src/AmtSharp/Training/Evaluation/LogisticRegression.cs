using TorchSharp;
using static TorchSharp.torch;

namespace AmtSharp.Training.Evaluation;

/// <summary>How a full-batch fit ended.</summary>
/// <param name="Iterations">L-BFGS iterations run.</param>
/// <param name="Loss">Final objective: mean cross-entropy plus λ/2 ‖W‖².</param>
/// <param name="GradientNorm">Largest absolute gradient entry at the end.</param>
/// <param name="Converged">True when the gradient or the loss change fell below the tolerance before the iteration cap.</param>
public sealed record FitSummary(int Iterations, double Loss, double GradientNorm, bool Converged);

/// <summary>
/// Multinomial logistic regression with an L2 penalty on the weights (not the bias), minimised to convergence by
/// full-batch L-BFGS with a backtracking Armijo line search. The objective is strictly convex for λ &gt; 0, so the
/// answer does not depend on initialisation, order or seeds — what a probe that is meant to measure the features,
/// not the optimiser, needs. Computed in float64 with the analytic gradient (no autograd).
/// </summary>
public sealed class LogisticRegression : IDisposable
{
    /// <summary>Weights [D, C], float64.</summary>
    public Tensor Weight { get; private set; }

    /// <summary>Bias [C], float64.</summary>
    public Tensor Bias { get; private set; }

    public LogisticRegression(int dim, int classes)
    {
        Weight = zeros(dim, classes, ScalarType.Float64);
        Bias = zeros(classes, ScalarType.Float64);
    }

    /// <summary>Class scores [N, C] of features [N, D] (any float type).</summary>
    public Tensor Logits(Tensor x)
    {
        using var scope = NewDisposeScope();
        return x.to_type(ScalarType.Float64).matmul(Weight).add(Bias).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Minimises mean CE + λ/2 ‖W‖² over x [N, D], labels [N], starting from the current weights (a warm start
    /// when called again with a nearby λ).
    /// </summary>
    public FitSummary Fit(Tensor x, Tensor labels, double lambda, int maxIterations = 1000, double tolerance = 1e-7, int history = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lambda);
        using var outer = NewDisposeScope();
        var xd = x.to_type(ScalarType.Float64);
        var onehot = nn.functional.one_hot(labels.to_type(ScalarType.Int64), Weight.shape[1]).to_type(ScalarType.Float64);
        long n = x.shape[0];

        // The parameters as one flat vector θ = [vec(W), b], so the two-loop recursion sees a single vector.
        long wCount = Weight.numel();
        var theta = cat([Weight.flatten(), Bias]).detach();
        (double loss, Tensor grad) Evaluate(Tensor t)
        {
            var w = t.narrow(0, 0, wCount).view(Weight.shape);
            var b = t.narrow(0, wCount, Bias.numel());
            var logits = xd.matmul(w).add(b);
            var logp = logits.log_softmax(1);
            double ce = -logp.mul(onehot).sum().item<double>() / n;
            double penalty = 0.5 * lambda * w.pow(2).sum().item<double>();
            var diff = logp.exp().sub(onehot).div(n); // ∂CE/∂logits
            var gw = xd.t().matmul(diff).add(w.mul(lambda));
            var gb = diff.sum([0]);
            return (ce + penalty, cat([gw.flatten(), gb]));
        }

        var (f, g) = Evaluate(theta);
        var steps = new List<(Tensor S, Tensor Y, double Rho)>();
        int iter = 0;
        bool converged = g.abs().max().item<double>() < tolerance;
        while (!converged && iter < maxIterations)
        {
            using var scope = NewDisposeScope();
            var direction = TwoLoop(g, steps).neg();
            double slope = direction.dot(g).item<double>();
            if (slope >= 0)
            {
                // Curvature history gone bad (rare, numerical): restart from steepest descent.
                foreach (var s in steps)
                {
                    s.S.Dispose();
                    s.Y.Dispose();
                }
                steps.Clear();
                direction = g.neg();
                slope = -g.dot(g).item<double>();
            }

            // Backtracking line search with the Armijo condition; the first L-BFGS step of 1 is usually accepted.
            double step = steps.Count == 0 ? Math.Min(1.0, 1.0 / Math.Max(1e-12, g.abs().sum().item<double>())) : 1.0;
            Tensor next;
            double fNext;
            Tensor gNext;
            while (true)
            {
                next = theta.add(direction.mul(step));
                (fNext, gNext) = Evaluate(next);
                if (fNext <= f + 1e-4 * step * slope || step < 1e-20)
                {
                    break;
                }
                step *= 0.5;
            }

            var sVec = next.sub(theta);
            var yVec = gNext.sub(g);
            double sy = sVec.dot(yVec).item<double>();
            if (sy > 1e-12)
            {
                steps.Add((sVec.MoveToOuterDisposeScope(), yVec.MoveToOuterDisposeScope(), 1.0 / sy));
                if (steps.Count > history)
                {
                    steps[0].S.Dispose();
                    steps[0].Y.Dispose();
                    steps.RemoveAt(0);
                }
            }
            double change = Math.Abs(f - fNext);
            theta.Dispose();
            g.Dispose();
            theta = next.MoveToOuterDisposeScope();
            g = gNext.MoveToOuterDisposeScope();
            f = fNext;
            iter++;
            converged = g.abs().max().item<double>() < tolerance || change <= 1e-12 * Math.Max(1.0, Math.Abs(f));
        }

        double gradNorm = g.abs().max().item<double>();
        var shape = Weight.shape;
        Weight.Dispose();
        Bias.Dispose();
        Weight = theta.narrow(0, 0, wCount).view(shape).clone().MoveToOuterDisposeScope();
        Bias = theta.narrow(0, wCount, theta.shape[0] - wCount).clone().MoveToOuterDisposeScope();
        foreach (var s in steps)
        {
            s.S.Dispose();
            s.Y.Dispose();
        }
        return new FitSummary(iter, f, gradNorm, converged);
    }

    /// <summary>The L-BFGS two-loop recursion: an approximation of H⁻¹·g from the last (s, y) pairs.</summary>
    private static Tensor TwoLoop(Tensor g, List<(Tensor S, Tensor Y, double Rho)> steps)
    {
        var q = g.clone();
        var alphas = new double[steps.Count];
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            alphas[i] = steps[i].Rho * steps[i].S.dot(q).item<double>();
            q.sub_(steps[i].Y.mul(alphas[i]));
        }
        if (steps.Count > 0)
        {
            var (s, y, _) = steps[^1];
            q.mul_(s.dot(y).item<double>() / y.dot(y).item<double>()); // initial Hessian scale γ = sᵀy / yᵀy
        }
        for (int i = 0; i < steps.Count; i++)
        {
            double beta = steps[i].Rho * steps[i].Y.dot(q).item<double>();
            q.add_(steps[i].S.mul(alphas[i] - beta));
        }
        return q;
    }

    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
