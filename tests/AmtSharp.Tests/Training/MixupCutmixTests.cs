using AmtSharp.Training.FineTuning;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AmtSharp.Tests.Training;

public sealed class MixupCutmixTests
{
    private const int Classes = 5;

    // Sample i is an image filled with the value i, so every output pixel tells which sample it came from.
    private static (Tensor Images, Tensor Labels) Batch(int b = 6, int size = 16)
    {
        var images = arange(b, dtype: ScalarType.Float32).view(b, 1, 1, 1).expand(b, 3, size, size).contiguous();
        var labels = tensor(Enumerable.Range(0, b).Select(i => (long)(i % Classes)).ToArray());
        return (images, labels);
    }

    [Fact]
    public void SmoothedOneHotPutsOneMinusSmoothingPlusShareOnTheLabel()
    {
        using var labels = tensor(new long[] { 0, 3 });
        using var t = MixupCutmix.SmoothedOneHot(labels, Classes, 0.1);
        Assert.Equal(1 - 0.1 + 0.02, t[0, 0].item<float>(), 6);
        Assert.Equal(0.02, t[0, 1].item<float>(), 6);
        Assert.Equal(0.92, t[1, 3].item<float>(), 6);
        Assert.True(t.sum(1).sub(1).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void MixupBlendsEachSampleWithItsMirrorAndTheLabelsLikewise()
    {
        var (images, labels) = Batch();
        using var _i = images; using var _l = labels;
        var mixer = new MixupCutmix(Classes, mixupAlpha: 0.8, cutmixAlpha: 0, labelSmoothing: 0.1);
        var mixed = mixer.Apply(images, labels, new Random(1));
        using var _m = mixed.Images; using var _t = mixed.Targets;
        Assert.Equal(MixKind.Mixup, mixed.Kind);
        double lam = mixed.Lambda;
        Assert.InRange(lam, 0.0, 1.0);
        for (int i = 0; i < 6; i++)
        {
            double expected = lam * i + (1 - lam) * (5 - i);
            Assert.Equal(expected, mixed.Images[i].mean().item<float>(), 4);
        }
        using var smooth = MixupCutmix.SmoothedOneHot(labels, Classes, 0.1);
        using var expectedTargets = smooth.mul(lam).add(smooth.flip(0).mul(1 - lam));
        Assert.True(mixed.Targets.allclose(expectedTargets, atol: 1e-6));
        Assert.True(mixed.Targets.sum(1).sub(1).abs().max().item<float>() < 1e-5);   // label mass sums to 1
        Assert.Equal(15.0, images.sum().item<float>() / (3 * 16 * 16), 3);             // the input is untouched
    }

    [Fact]
    public void CutmixPastesABoxAndLambdaIsTheAreaKept()
    {
        var (images, labels) = Batch();
        using var _i = images; using var _l = labels;
        var mixer = new MixupCutmix(Classes, mixupAlpha: 0, cutmixAlpha: 1.0);
        for (int seed = 0; seed < 20; seed++)
        {
            var mixed = mixer.Apply(images, labels, new Random(seed));
            using var _m = mixed.Images; using var _t = mixed.Targets;
            Assert.Equal(MixKind.Cutmix, mixed.Kind);
            var box = mixed.Box!.Value;
            Assert.Equal(1.0 - box.Area / 256.0, mixed.Lambda, 12);
            for (int i = 0; i < 6; i++)
            {
                using var own = mixed.Images[i].eq(i);
                using var mirror = mixed.Images[i].eq(5 - i);
                // Every pixel is the sample's own or its mirror's; the mirror's exactly inside the box.
                Assert.Equal(3L * 256, own.logical_or(mirror).sum().item<long>());
                Assert.Equal(3L * box.Area, mirror.sum().item<long>());
                using var inBox = mirror[.., box.Top..box.Bottom, box.Left..box.Right];
                Assert.True(inBox.all().item<bool>());
                // Own label weight λ, the mirror's 1 − λ (no smoothing here; labels i and 5 − i may coincide mod 5).
                long a = i % Classes, b = (5 - i) % Classes;
                double expectedOwn = a == b ? 1.0 : mixed.Lambda;
                Assert.Equal(expectedOwn, mixed.Targets[i, a].item<float>(), 5);
            }
            Assert.True(mixed.Targets.sum(1).sub(1).abs().max().item<float>() < 1e-5);
        }
    }

    [Fact]
    public void SwitchAndMixProbabilitiesChooseTheMethod()
    {
        var (images, labels) = Batch();
        using var _i = images; using var _l = labels;
        MixKind KindOf(MixupCutmix m, int seed)
        {
            var r = m.Apply(images, labels, new Random(seed));
            r.Images.Dispose();
            r.Targets.Dispose();
            return r.Kind;
        }
        var seeds = Enumerable.Range(0, 40).ToList();
        Assert.All(seeds, s => Assert.Equal(MixKind.Mixup, KindOf(new MixupCutmix(Classes, 0.8, 1.0, switchProbability: 0), s)));
        Assert.All(seeds, s => Assert.Equal(MixKind.Cutmix, KindOf(new MixupCutmix(Classes, 0.8, 1.0, switchProbability: 1), s)));
        Assert.All(seeds, s => Assert.Equal(MixKind.None, KindOf(new MixupCutmix(Classes, 0.8, 1.0, probability: 0), s)));
        var kinds = seeds.Select(s => KindOf(new MixupCutmix(Classes, 0.8, 1.0), s)).ToList();
        Assert.Contains(MixKind.Mixup, kinds);
        Assert.Contains(MixKind.Cutmix, kinds);
    }

    [Fact]
    public void TheSameDrawGivesTheSameBatch()
    {
        var (images, labels) = Batch();
        using var _i = images; using var _l = labels;
        var mixer = new MixupCutmix(Classes, 0.8, 1.0, labelSmoothing: 0.1);
        var a = mixer.Apply(images, labels, new Random(9));
        var b = mixer.Apply(images, labels, new Random(9));
        Assert.Equal((a.Kind, a.Lambda, a.Box), (b.Kind, b.Lambda, b.Box));
        Assert.True(a.Images.equal(b.Images).all().item<bool>());
        Assert.True(a.Targets.equal(b.Targets).all().item<bool>());
    }

    [Theory]
    [InlineData(0.8, 0.8)]
    [InlineData(1.0, 1.0)]
    [InlineData(2.0, 5.0)]
    [InlineData(0.3, 0.6)]
    public void BetaDrawsHaveTheRightMeanAndVariance(double a, double b)
    {
        var rng = new Random(5);
        var x = Enumerable.Range(0, 40_000).Select(_ => BetaDistribution.Sample(rng, a, b)).ToArray();
        double mean = x.Average(), variance = x.Select(v => (v - mean) * (v - mean)).Average();
        Assert.All(x, v => Assert.InRange(v, 0.0, 1.0));
        Assert.Equal(a / (a + b), mean, 2);
        Assert.Equal(a * b / ((a + b) * (a + b) * (a + b + 1)), variance, 2);
    }

    [Fact]
    public void SoftTargetCrossEntropyMatchesCrossEntropyOnOneHotsAndTheFormulaOtherwise()
    {
        using var generator = new Generator(5);
        using var logits = randn(7, Classes, generator: generator);
        using var labels = tensor(new long[] { 0, 1, 2, 3, 4, 0, 1 });
        using var oneHot = MixupCutmix.SmoothedOneHot(labels, Classes, 0.0);
        using var soft = SoftTargetCrossEntropy.Loss(logits, oneHot);
        using var hard = F.cross_entropy(logits, labels);
        // A tolerance, not decimal places: rounding two values a float ulp apart can land them on different digits.
        Assert.Equal(hard.item<float>(), soft.item<float>(), 1e-5);

        using var smooth = MixupCutmix.SmoothedOneHot(labels, Classes, 0.3);
        using var loss = SoftTargetCrossEntropy.Loss(logits, smooth);
        using var expected = smooth.mul(F.log_softmax(logits, 1)).sum(1).neg().mean();
        Assert.Equal(expected.item<float>(), loss.item<float>(), 1e-5);
    }
}
