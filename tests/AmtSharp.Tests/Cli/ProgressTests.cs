using AmtSharp.Cli;
using AmtSharp.Core;
using AmtSharp.Data.Sources;
using AmtSharp.Models.Vit;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Pretraining;
using Xunit;

namespace AmtSharp.Tests.Cli;

/// <summary>Long phases keep talking: a line at least every 10 s when redirected, and every phase reports.</summary>
public sealed class ProgressTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long ticks = TimeSpan.FromDays(1).Ticks;

        public void Advance(TimeSpan by) => ticks += by.Ticks;

        public override DateTimeOffset GetUtcNow() => new(ticks, TimeSpan.Zero);

        public override long GetTimestamp() => ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    private sealed class Recorder : IPhaseProgress
    {
        public List<(string Phase, long Done, long Total)> Reports { get; } = [];

        public void Report(string phase, long done, long total, string unit) => Reports.Add((phase, done, total));
    }

    [Theory]
    [InlineData(59, "00:59")]
    [InlineData(79 * 60, "1:19:00")]
    [InlineData(3 * 3600 + 5 * 60 + 7, "3:05:07")]
    public void DurationsPastAnHourKeepTheHours(int seconds, string expected) =>
        Assert.Equal(expected, ConsoleProgress.Clock(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void ARedirectedSlowPhasePrintsALineEveryTenSeconds()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, quiet: false, totalEpochs: 0, clock);
        // A 60 s phase reporting every 3 s: a line at the first report, then the first report 10 s or more after the last line.
        for (int done = 1; done <= 20; done++)
        {
            clock.Advance(TimeSpan.FromSeconds(3));
            progress.Report("features of synthetic-train", done * 100, 2000, "images");
        }
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);                     // at 3, 15, 27, 39 and 51 s
        Assert.All(lines, l => Assert.StartsWith("features of synthetic-train [", l));
        Assert.Contains(" 100/2000 images", lines[0]);

        var quiet = new StringWriter();
        new ConsoleProgress(quiet, quiet: true, totalEpochs: 0, clock).Report("kNN", 1, 2, "test images");
        Assert.Equal("", quiet.ToString());
    }

    [Fact]
    public void TheEtaOfAResumedRunCountsOnlyTheWorkSinceTheResume()
    {
        // Resumed at epoch 4 of 8; 10 s later epoch 4 (of 4 batches) is done: 1/8 of the run in 10 s, so the 3/8 left
        // take 30 s. Counting the epochs done before the resume would say 6 s.
        var clock = new ManualClock();
        var pretrain = new StringWriter();
        var progress = new ConsoleProgress(pretrain, quiet: false, totalEpochs: 8, clock);
        progress.OnStart(new StartReport(4, 0, 16, 4, Resumed: true));
        clock.Advance(TimeSpan.FromSeconds(10));
        progress.OnStep(new StepReport(4, 3, 4, 20, 0.5, 1e-3, 100));
        Assert.EndsWith("ETA 00:30", pretrain.ToString().TrimEnd());

        var fineTune = new StringWriter();
        var fine = new FineTuneConsoleProgress(fineTune, quiet: false, totalEpochs: 8, clock);
        fine.OnStart(new FineTuneStart(4, 16, 4, Resumed: true));
        clock.Advance(TimeSpan.FromSeconds(10));
        fine.OnStep(new FineTuneStep(4, 3, 4, 20, 0.5, 1e-3, 100));
        Assert.EndsWith("ETA 00:30", fineTune.ToString().TrimEnd());
    }

    [Fact]
    public void ARedirectedFineTuningEvaluationPrintsALineEveryTenSecondsWithItsOwnRate()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var progress = new FineTuneConsoleProgress(output, quiet: false, totalEpochs: 2, clock);
        progress.OnStart(new FineTuneStart(0, 0, 4, Resumed: false));
        progress.OnStep(new FineTuneStep(0, 3, 4, 4, 0.5, 1e-3, 100));   // the epoch's last step, at t = 0
        for (int done = 1; done <= 10; done++)
        {
            clock.Advance(TimeSpan.FromSeconds(3));
            progress.OnEvaluationProgress(0, done * 30, 300);
        }
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The step line at 0 s, then evaluation lines at 12 s and 24 s: 10 images/s since the last step.
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("epoch 1/2 [", lines[0]);
        Assert.Equal("epoch 1/2: evaluating [########............] 120/300 test images, 10 img/s", lines[1]);
        Assert.Equal("epoch 1/2: evaluating [################....] 240/300 test images, 10 img/s", lines[2]);
    }

    [Fact]
    public void FeatureExtractionProbeAndKnnReportProgress()
    {
        var train = SyntheticShapesSource.Train(seed: 2, count: 48, size: 16, classes: 3);
        var test = SyntheticShapesSource.Test(seed: 2, count: 24, size: 16, classes: 3);
        using var encoder = new VisionTransformer(new VitConfig(16, 4, 3, Width: 32, Depth: 1, Heads: 2));
        var recorder = new Recorder();
        FrozenEvaluation.Run(encoder, train, test,
            new FrozenEvaluationConfig(new LinearProbeConfig(3, 1, 16, 0.1), new KnnConfig(ChunkSize: 8), BatchSize: 16, Workers: 1),
            progress: recorder);
        Assert.Equal(48, recorder.Reports.Last(r => r.Phase == "features of synthetic-train").Done);
        Assert.Equal(24, recorder.Reports.Last(r => r.Phase == "features of synthetic-test").Done);
        Assert.Equal([1L, 2, 3], recorder.Reports.Where(r => r.Phase == "linear probe").Select(r => r.Done));
        Assert.Equal([8L, 16, 24], recorder.Reports.Where(r => r.Phase == "kNN").Select(r => r.Done));
    }
}
