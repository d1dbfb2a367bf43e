using AmtSharp.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;

namespace AmtSharp.Tests.Training;

public sealed class LarsTests
{
    [Fact]
    public void StepMatchesTheDefinitionForMatricesAndBiases()
    {
        using var w = new Parameter(torch.tensor(new float[] { 3, 4 }).reshape(1, 2)); // ‖w‖ = 5
        using var b = new Parameter(torch.tensor(new float[] { 1 }));
        using var lars = new Lars(new[] { w, b }, new LarsConfig(Lr: 0.5, WeightDecay: 0.1, Momentum: 0.9, TrustCoefficient: 0.001));
        w.grad = torch.tensor(new float[] { 0.7f, -0.4f }).reshape(1, 2);
        b.grad = torch.tensor(new float[] { 2 });

        lars.Step();

        // Matrix: g + wd·w = (1.0, 0.0); q = 0.001·5/1; μ = 0.005·(1, 0); w ← w − 0.5·μ.
        Assert.Equal(new[] { 3 - 0.5f * 0.005f, 4f }, w.data<float>().ToArray());
        // Bias: plain momentum SGD, no decay and no trust ratio.
        Assert.Equal(1 - 0.5f * 2, b.data<float>()[0]);

        lars.Step(); // μ ← 0.9μ + g for the bias: 0.9·2 + 2
        Assert.Equal(0 - 0.5f * 3.8f, b.data<float>()[0], 5);
    }

    [Fact]
    public void ZeroNormsFallBackToUnitTrust()
    {
        using var w = new Parameter(torch.zeros(2, 2));
        using var lars = new Lars(new[] { w }, new LarsConfig(Lr: 1.0));
        w.grad = torch.ones(2, 2);
        lars.Step();
        Assert.All(w.data<float>().ToArray(), v => Assert.Equal(-1f, v));
    }

    [Fact]
    public void StateDictRoundTripsAndReportsMismatch()
    {
        using var w = new Parameter(torch.ones(2, 3));
        using var lars = new Lars(new[] { w }, new LarsConfig(Lr: 0.1));
        w.grad = torch.ones(2, 3);
        lars.Step();

        using var w2 = new Parameter(torch.ones(2, 3));
        using var other = new Lars(new[] { w2 }, new LarsConfig(Lr: 0.1));
        other.LoadStateDict(lars.StateDict());
        Assert.True(other.StateDict()["mu.0"].allclose(lars.StateDict()["mu.0"]));

        using var bad = torch.zeros(3);
        var e = Assert.Throws<ArgumentException>(() => other.LoadStateDict(new Dictionary<string, torch.Tensor> { ["mu.0"] = bad }));
        Assert.Contains("mu.0", e.Message);
    }
}

public sealed class GradientsTests
{
    [Fact]
    public void ClipNormReturnsPreClipNormAndClips()
    {
        using var p = new Parameter(torch.zeros(2));
        p.grad = torch.tensor(new float[] { 3, 4 });
        double n = Gradients.ClipNorm(new[] { p }, 1.0);
        Assert.Equal(5.0, n, 5);
        Assert.Equal(1.0, Gradients.Norm(new[] { p }), 4);
    }
}
