using AmtSharp.Models;
using AmtSharp.Models.Vit;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Models;

public sealed class DropPathTests
{
    private static Tensor Ones(long samples) => ones(samples, 3, 4);

    [Fact]
    public void RateZeroOrEvaluationModeIsTheIdentity()
    {
        using var x = randn(8, 5, 6);
        using var off = new DropPath(0.0);
        off.train();
        using (var y = off.forward(x))
        {
            Assert.True(y.equal(x).all().item<bool>());
        }
        using var on = new DropPath(0.5);
        on.eval();
        using (var y = on.forward(x))            // no generator needed when inactive
        {
            Assert.True(y.equal(x).all().item<bool>());
        }
    }

    [Fact]
    public void TrainingZeroesWholeSamplesAndScalesTheRest()
    {
        using var drop = new DropPath(0.25);
        drop.train();
        using var g = new Generator(42);
        drop.Generator = g;
        using var x = Ones(4000);
        using var y = drop.forward(x);
        using var perSampleMin = y.amin([1, 2]);
        using var perSampleMax = y.amax([1, 2]);
        Assert.True(perSampleMin.equal(perSampleMax).all().item<bool>());   // one decision per sample
        using var kept = perSampleMax.gt(0);
        using var values = perSampleMax.masked_select(kept);
        Assert.True(values.sub(1 / 0.75).abs().max().item<float>() < 1e-6);  // kept samples scaled by 1 / (1 − rate)
        double dropped = 1 - kept.to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(dropped, 0.22, 0.28);
        Assert.InRange(y.mean().item<float>(), 0.95, 1.05);                  // expectation preserved
    }

    [Fact]
    public void TheSeedFixesTheMasks()
    {
        Tensor Run(ulong seed)
        {
            using var drop = new DropPath(0.5);
            drop.train();
            using var g = new Generator(seed);
            drop.Generator = g;
            using var x = Ones(64);
            return drop.forward(x);
        }
        using var a = Run(7);
        using var b = Run(7);
        using var c = Run(8);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.False(a.equal(c).all().item<bool>());
    }

    [Fact]
    public void ActiveWithoutAGeneratorIsRefused()
    {
        using var drop = new DropPath(0.1);
        drop.train();
        using var x = Ones(2);
        Assert.Throws<InvalidOperationException>(() => drop.forward(x));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropPath(1.0));
    }

    [Fact]
    public void RatesRiseLinearlyOverDepthAndAreOffByDefault()
    {
        var config = new VitConfig(16, 4, 3, 16, 4, 2);
        using var plain = new VisionTransformer(config);
        Assert.All(plain.DropPathRates, r => Assert.Equal(0.0, r));
        using var withDrop = new VisionTransformer(config, dropPath: 0.3);
        Assert.Equal(new[] { 0.0, 0.1, 0.2, 0.3 }, withDrop.DropPathRates.Select(r => Math.Round(r, 12)));
        Assert.Equal(plain.state_dict().Keys.Order(), withDrop.state_dict().Keys.Order());   // no parameters, same checkpoints
    }

    [Fact]
    public void EncoderWithDropPathMatchesWithoutItInEvaluationAndIsSeededInTraining()
    {
        var config = new VitConfig(16, 4, 3, 16, 3, 2);
        using var reference = new VisionTransformer(config);
        using (var g = WeightInit.Generator(1))
        {
            reference.InitWeights(g);
        }
        using var dropping = new VisionTransformer(config, dropPath: 0.5);
        dropping.load_state_dict(reference.state_dict());
        using var images = randn(6, 3, 16, 16);
        reference.eval();
        dropping.eval();
        using (var a = reference.forward(images))
        using (var b = dropping.forward(images))
        {
            Assert.True(a.allclose(b));
        }

        dropping.train();
        Tensor Forward(ulong seed)
        {
            using var g = new Generator(seed);
            dropping.DropPathGenerator = g;
            try
            {
                using var noGrad = no_grad();
                return dropping.forward(images);
            }
            finally
            {
                dropping.DropPathGenerator = null;
            }
        }
        using var first = Forward(3);
        using var again = Forward(3);
        using var other = Forward(4);
        using var evaluated = reference.forward(images);
        Assert.True(first.equal(again).all().item<bool>());
        Assert.False(first.allclose(evaluated));
        Assert.False(first.allclose(other));
    }
}
