using AmtSharp.Cli;
using AmtSharp.Reporting;
using AmtSharp.Reporting.Snapshots;
using AmtSharp.Training.Checkpoints;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Cli;

/// <summary>A tiny pretraining run shared by the tests of the commands that read one.</summary>
public sealed class TinyRunFixture : IDisposable
{
    private readonly TestUtil.TempDir dir = new();

    public TinyRunFixture()
    {
        var (code, output, error) = InspectionCommandTests.Run("pretrain", "--depth", "1", "--epochs", "2", "--batch-size", "32", "--limit", "128",
            "--decoder-width", "32", "--decoder-depth", "1", "-o", RunPath, "--quiet");
        if (code != 0)
        {
            throw new InvalidOperationException(error);
        }
        Output = output;
    }

    public string RunPath => Path.Combine(dir.Path, "run");

    public string Output { get; }

    public string NewFolder(string name) => Path.Combine(dir.Path, name);

    public void Dispose() => dir.Dispose();
}

// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class InspectionCommandTests(TinyRunFixture run) : IClassFixture<TinyRunFixture>
{
    internal static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void PretrainWritesItsReportLossCurveAndSnapshots()
    {
        Assert.Contains("report", run.Output);
        foreach (var name in new[] { "report.md", "report.html", "loss.png", "steps.csv", "masking-epoch-000.png", "masking-epoch-001.png", "masking-epoch-002.png", "attention-epoch-002.png" })
        {
            Assert.True(File.Exists(Path.Combine(run.RunPath, name)), name);
        }
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run.RunPath, "tensorboard"), "events.out.tfevents.*"));
        Assert.Contains("AmtSharp pretraining: MAE + AMT", File.ReadAllText(Path.Combine(run.RunPath, "report.md")));
    }

    [Fact]
    public void VisualizeDrawsTheGridAndAttentionForNImages()
    {
        string folder = run.NewFolder("visualize");
        var (code, output, error) = Run("visualize", "-c", run.RunPath, "--limit", "128", "-o", folder, "--images", "3");
        Assert.True(code == 0, error);
        Assert.Contains("masking.png", output);
        var layout = MaskingGridLayout.For(DemoReportTests.DummyRows(3), SnapshotPictures.GridOptions("x", NormPixDenormalizer.ColumnTitle));
        var hatch = new MaskStyle().ThrownHatchColor.ToColor();
        using (var grid = DemoReportTests.Decode(Path.Combine(folder, "masking.png")))
        {
            Assert.Equal((layout.Width, layout.Height), (grid.Width, grid.Height));
            Assert.All(Enumerable.Range(0, 3), row => Assert.True(DemoReportTests.CountInCell(grid, layout, row, 2, c => c == hatch) > 0));
        }
        using (var attention = DemoReportTests.Decode(Path.Combine(folder, "attention.png")))
        {
            var attentionLayout = AttentionOverlayLayout.For(DemoReportTests.DummyCells(3), SnapshotPictures.AttentionOptions("x"));
            Assert.Equal(attentionLayout.Height, attention.Height);           // the width follows the title
            Assert.True(attention.Width >= attentionLayout.Width);
        }

        // Without throwing no patch is hatched; the ratios reach the plan.
        string plain = run.NewFolder("visualize-no-throw");
        var (code2, output2, error2) = Run("visualize", "-c", run.RunPath, "--limit", "128", "-o", plain, "--images", "2", "--throw-ratio", "0", "--mask-ratio", "0.5");
        Assert.True(code2 == 0, error2);
        Assert.Contains("32 masked / 0 thrown / 32 visible", output2);
        var layout2 = MaskingGridLayout.For(DemoReportTests.DummyRows(2), SnapshotPictures.GridOptions("x", NormPixDenormalizer.ColumnTitle));
        using var grid2 = DemoReportTests.Decode(Path.Combine(plain, "masking.png"));
        Assert.All(Enumerable.Range(0, 2), row => Assert.Equal(0, DemoReportTests.CountInCell(grid2, layout2, row, 2, c => c == hatch)));
    }

    [Fact]
    public void PriorComputesSavesAndInspects()
    {
        string folder = run.NewFolder("prior");
        var (code, output, error) = Run("prior", "-c", run.RunPath, "--limit", "64", "-o", folder, "--images", "4");
        Assert.True(code == 0, error);
        Assert.Contains("mean entropy", output);
        Assert.Contains("foreground overlap", output);                 // the synthetic set knows its objects
        var (store, metadata) = PriorFile.Load(Path.Combine(folder, "prior.amtprior"));
        Assert.Equal(64, store.Count);
        Assert.Equal(8, store.GridSize);
        Assert.Equal(PriorFile.Kind, metadata["kind"]!.GetValue<string>());
        Assert.All(store.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.True(File.Exists(Path.Combine(folder, "prior-stats.json")));
        using (var picture = DemoReportTests.Decode(Path.Combine(folder, "prior-attention.png")))
        {
            var layout = AttentionOverlayLayout.For(DemoReportTests.DummyCells(4), SnapshotPictures.AttentionOptions("x"));
            Assert.Equal(layout.Height, picture.Height);
        }

        var inspected = Run("prior", "--inspect", Path.Combine(folder, "prior.amtprior"));
        Assert.True(inspected.Code == 0, inspected.Error);
        Assert.Contains("maps                64, 8x8 patches each", inspected.Output);

        // A training checkpoint holds the prior it trained with (computed after epoch 1 of 2).
        string checkpoint = Directory.GetFiles(Path.Combine(run.RunPath, "checkpoints")).Max()!;
        var fromCheckpoint = Run("prior", "--inspect", checkpoint);
        Assert.True(fromCheckpoint.Code == 0, fromCheckpoint.Error);
        Assert.Contains("after training epoch 1", fromCheckpoint.Output);
        Assert.Contains("maps                128", fromCheckpoint.Output);
    }

    [Fact]
    public void PriorOfAModelAtInitialisation()
    {
        string folder = run.NewFolder("prior-init");
        var (code, output, error) = Run("prior", "-c", "none", "--limit", "32", "-o", folder, "--images", "2");
        Assert.True(code == 0, error);
        Assert.Contains("initialisation (vit_tiny, seed 0)", output);
        Assert.True(File.Exists(Path.Combine(folder, "prior.amtprior")));
    }

    [Fact]
    public void LinearProbeOfARunLogsItsCurveIntoTheRun()
    {
        var (code, _, error) = Run("linprobe", "-c", run.RunPath, "--limit", "128", "--epochs", "2", "--batch-size", "64");
        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(run.RunPath, "linprobe-accuracy.png")));
        var events = Directory.GetFiles(Path.Combine(run.RunPath, "tensorboard", "linprobe")).SelectMany(Reporting.EventFileReader.Read).ToList();
        Assert.Equal(2, events.SelectMany(e => e.Values).Count(v => v.Tag == "probe/trained/test_top1"));
    }

    [Theory]
    [InlineData("visualize", "-c", "{garbage}", "-o", "{out}")]
    [InlineData("visualize", "-c", "/nonexistent/amtsharp-run", "-o", "{out}")]
    [InlineData("prior", "-c", "{garbage}", "-o", "{out}")]
    [InlineData("prior", "--inspect", "{garbage}")]
    [InlineData("prior", "--inspect", "/nonexistent/prior.amtprior")]
    [InlineData("prior", "-o", "{out}")]
    [InlineData("visualize", "-c", "{run}", "-o", "{out}", "--mask-ratio", "0.7", "--throw-ratio", "0.4")]
    public void BadCheckpointsAndOptionsGiveOneLineAndExitCodeTwo(params string[] args)
    {
        string garbage = run.NewFolder("garbage.amtckpt");
        File.WriteAllText(garbage, "not a checkpoint");
        var resolved = args.Select(a => a.Replace("{garbage}", garbage).Replace("{out}", run.NewFolder("bad-out")).Replace("{run}", run.RunPath)).ToArray();
        var (code, _, error) = Run(resolved);
        Assert.Equal(Program.UserError, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("amt: ", error);
    }

    [Fact]
    public void PicturesAreDecodablePngs()
    {
        foreach (var file in Directory.GetFiles(run.RunPath, "*.png"))
        {
            using var bitmap = SKBitmap.Decode(file);
            Assert.True(bitmap is { Width: > 100, Height: > 100 }, file);
        }
    }
}
