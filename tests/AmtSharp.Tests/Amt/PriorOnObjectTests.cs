using AmtSharp.Amt;
using AmtSharp.Data.Sources;
using AmtSharp.Training.Pretraining;
using Xunit;
using Xunit.Abstractions;

namespace AmtSharp.Tests.Amt;

/// <summary>
/// The point of AMT's prior: after a short MAE + AMT run the model's [CLS] attention sits on the objects more than it did
/// at initialisation. Scored on the synthetic set, whose foreground masks are known. Deterministic (fixed seed, CPU).
/// </summary>
public sealed class PriorOnObjectTests(ITestOutputHelper output)
{
    [Fact]
    public void AShortMaeAmtRunMovesThePriorOntoTheObjects()
    {
        var source = SyntheticShapesSource.Train(seed: 0, count: PriorOnObject.Images);
        using var trainer = new Pretrainer(PriorOnObject.Config, source);
        var before = ForegroundOverlap.OfEncoder(trainer.Model.Encoder, source, 256, 2)!;
        var result = trainer.Train();
        var after = ForegroundOverlap.OfEncoder(trainer.Model.Encoder, source, 256, 2)!;

        var path = string.Join(" → ", result.Epochs.Where(e => e.ForegroundOverlap is not null)
            .Select(e => $"{e.ForegroundOverlap!.TopQuartileForeground:P1}"));
        output.WriteLine($"top-quartile prior cells on the object: {before.TopQuartileForeground:P1} at initialisation, "
            + $"{after.TopQuartileForeground:P1} trained (chance {after.ForegroundShare:P1}); at the refreshes {path}");
        Assert.True(result.Finished);
        Assert.InRange(before.Lift, 0.8, 1.6);                 // an untrained model barely prefers the objects
        Assert.True(after.TopQuartileForeground > before.TopQuartileForeground + 0.05,
            $"trained {after.TopQuartileForeground:P1} vs {before.TopQuartileForeground:P1} at initialisation");
        Assert.True(after.Lift > 1.6, $"trained prior is {after.Lift:F2}x chance");
    }
}

/// <summary>
/// The prior-on-object preset (the former demo recipe), cut to 2,000 images and 24 epochs with the prior refreshed every epoch: the smallest
/// budget where the effect is clear (docs/prior-on-object.md).
/// </summary>
internal static class PriorOnObject
{
    public const int Images = 2000;

    public static PretrainConfig Config => PretrainPresets.PriorOnObject.Config.WithEpochs(24) with
    {
        Workers = 2,
        Amt = PretrainPresets.PriorOnObject.Config.Amt! with { StartEpoch = 2, RefreshInterval = 1 },
    };
}
