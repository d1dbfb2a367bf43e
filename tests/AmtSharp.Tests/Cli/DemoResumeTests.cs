using System.Text.Json;
using AmtSharp.Cli.Commands;
using AmtSharp.Tests.Interop;
using AmtSharp.Training.Pretraining;
using Xunit;

namespace AmtSharp.Tests.Cli;

/// <summary>The demo checkpoints each epoch and resumes exactly, like `amt pretrain`.</summary>
public sealed class DemoResumeTests
{
    // 128 images at batch 64: two steps per epoch; the interruption after step 3 falls inside the second epoch.
    private static DemoSettings Tiny(string output, bool resume = false) =>
        new(Epochs: 2, TrainImages: 128, TestImages: 32, ProbeEpochs: 2, output, Workers: 1, Seed: 0, Resume: resume);

    [Fact]
    public void AnInterruptedDemoResumedEndsLikeAnUninterruptedOne()
    {
        using var dir = new TestUtil.TempDir();
        string whole = Path.Combine(dir.Path, "whole"), parts = Path.Combine(dir.Path, "parts");
        Assert.NotNull(Demo.Run(Tiny(whole), TextWriter.Null, quiet: true));

        Assert.Null(Demo.Run(Tiny(parts), TextWriter.Null, quiet: true, stopAfterSteps: 3));
        Assert.False(File.Exists(Path.Combine(parts, "final.json")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(parts, "checkpoints")));
        var notes = new StringWriter();
        Assert.NotNull(Demo.Run(Tiny(parts, resume: true), notes, quiet: false));
        Assert.Contains("resume: from", notes.ToString());

        using (var a = PretrainedModel.Load(whole))
        using (var b = PretrainedModel.Load(parts))
        {
            InteropTestData.AssertSameState(a.Module, b.Module);
        }
        using var finalA = JsonDocument.Parse(File.ReadAllText(Path.Combine(whole, "final.json")));
        using var finalB = JsonDocument.Parse(File.ReadAllText(Path.Combine(parts, "final.json")));
        foreach (var key in new[] { "evaluation", "evaluation_at_init", "evaluation_raw_pixels", "prior_on_object", "prior_on_object_at_init" })
        {
            Assert.Equal(finalA.RootElement.GetProperty(key).GetRawText(), finalB.RootElement.GetProperty(key).GetRawText());
        }
        double[] Losses(JsonDocument d) => [.. d.RootElement.GetProperty("pretrain").GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("loss").GetDouble())];
        Assert.Equal(Losses(finalA), Losses(finalB));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(parts, "metrics.jsonl")).Length);
    }

    [Fact]
    public void ADemoThatEndsBeforeAmtStartsStillWritesItsReport()
    {
        using var dir = new TestUtil.TempDir();
        string output = Path.Combine(dir.Path, "one");
        Assert.NotNull(Demo.Run(Tiny(output) with { Epochs = 1, ProbeEpochs = 1 }, TextWriter.Null, quiet: true));
        Assert.True(File.Exists(Path.Combine(output, "masking-epoch-001.png")));
    }
}
