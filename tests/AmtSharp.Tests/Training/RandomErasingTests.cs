using AmtSharp.Training.FineTuning;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

public sealed class RandomErasingTests
{
    [Fact]
    public void RectanglesKeepTimmsAreaAndAspectRangesOverManyDraws()
    {
        // 200 × 200 keeps the rounding of the sides below 1 % of area and aspect.
        var erasing = new RandomErasing(Probability: 1);
        var boxes = erasing.Draw(5000, 200, 200, new Random(5));
        Assert.Equal(5000, boxes.Count);                                   // p = 1: every image, at the first try or a later one
        Assert.All(boxes, b =>
        {
            double area = b.Height * (double)b.Width / (200 * 200), aspect = b.Height / (double)b.Width;
            Assert.InRange(area, 0.02 * 0.98, 1.0 / 3 * 1.02);
            Assert.InRange(aspect, 0.3 * 0.98, 1 / 0.3 * 1.02);
            Assert.InRange(b.Top, 0, 200 - b.Height);
            Assert.InRange(b.Left, 0, 200 - b.Width);
        });
        // The whole ranges are used: small and large boxes, tall and wide ones.
        Assert.Contains(boxes, b => b.Height * b.Width < 0.03 * 40000);
        Assert.Contains(boxes, b => b.Height * b.Width > 0.3 * 40000);
        Assert.Contains(boxes, b => b.Height > 2.5 * b.Width);
        Assert.Contains(boxes, b => b.Width > 2.5 * b.Height);
        // About a quarter of the images at p = 0.25.
        Assert.InRange(new RandomErasing(0.25).Draw(4000, 32, 32, new Random(6)).Count, 900, 1100);
    }

    [Fact]
    public void OnlyTheRectangleChangesAndItHoldsStandardNormalValues()
    {
        using var images = zeros(64, 3, 32, 32);
        using var values = new Generator(3);
        var boxes = new RandomErasing(Probability: 1).Apply(images, new Random(2), values);
        using var mask = zeros(64, 3, 32, 32, dtype: ScalarType.Bool);
        foreach (var b in boxes)
        {
            mask[b.Image].narrow(1, b.Top, b.Height).narrow(2, b.Left, b.Width).fill_(true);
        }
        Assert.Equal(0, images.masked_select(mask.logical_not()).abs().sum().item<float>());
        using var inside = images.masked_select(mask);
        Assert.Equal(boxes.Sum(b => 3L * b.Height * b.Width), inside.numel());
        Assert.InRange(inside.mean().item<float>(), -0.05, 0.05);
        Assert.InRange(inside.std().item<float>(), 0.95, 1.05);
    }

    [Fact]
    public void ProbabilityZeroLeavesTheBatchUnchanged()
    {
        using var images = randn(32, 3, 16, 16, generator: new Generator(1));
        using var before = images.clone();
        using var values = new Generator(3);
        Assert.Empty(new RandomErasing(Probability: 0).Apply(images, new Random(2), values));
        Assert.True(images.equal(before).all().item<bool>());
    }

    [Fact]
    public void TheSameSeedsEraseTheSameRectanglesWithTheSameValues()
    {
        Tensor Erase()
        {
            var images = zeros(8, 3, 16, 16);
            using var values = new Generator(11);
            new RandomErasing(0.5).Apply(images, new Random(4), values);
            return images;
        }
        using var a = Erase();
        using var b = Erase();
        Assert.True(a.equal(b).all().item<bool>());
        Assert.True(a.abs().sum().item<float>() > 0);
    }
}
