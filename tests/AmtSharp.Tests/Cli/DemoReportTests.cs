using System.Text.Json;
using AmtSharp.Cli;
using AmtSharp.Reporting;
using AmtSharp.Reporting.Snapshots;
using AmtSharp.Tests.Reporting;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Cli;

/// <summary>The demo's path with a tiny budget: report, pictures, TensorBoard events and metrics exist and are sane.</summary>
// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class DemoReportTests
{
    private const int SnapshotRows = 6;

    [Fact]
    public void DemoWritesReportPicturesTensorBoardEventsAndMetrics()
    {
        using var dir = new TestUtil.TempDir();
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(["demo", "--epochs", "2", "--train-images", "192", "--test-images", "96", "--probe-epochs", "3", "-o", dir.Path, "--quiet"], output, error);
        Assert.True(code == 0, error.ToString());
        Assert.Contains("report at", output.ToString());
        string F(string name) => Path.Combine(dir.Path, name);

        // Metrics: two epochs, finite losses; 192 images / batch 64 = 3 iterations per epoch.
        Assert.Equal(2, File.ReadAllLines(F("metrics.jsonl")).Length);
        using (var final = JsonDocument.Parse(File.ReadAllText(F("final.json"))))
        {
            var epochs = final.RootElement.GetProperty("pretrain").GetProperty("epochs");
            Assert.All(epochs.EnumerateArray(), e => Assert.True(double.IsFinite(e.GetProperty("loss").GetDouble())));
            // The prior scored against the objects, before and after training, over every training image.
            foreach (var key in new[] { "prior_on_object", "prior_on_object_at_init" })
            {
                var overlap = final.RootElement.GetProperty(key);
                Assert.Equal(192, overlap.GetProperty("images").GetInt32());
                Assert.InRange(overlap.GetProperty("top_quartile_foreground").GetDouble(), 0, 1);
            }
        }
        var steps = File.ReadAllLines(F("steps.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(Enumerable.Range(1, 6).Select(i => i.ToString()), steps.Select(s => s[0]));
        Assert.All(steps, s => Assert.True(double.IsFinite(double.Parse(s[1], System.Globalization.CultureInfo.InvariantCulture))));
        Assert.NotEmpty(Directory.GetFiles(F("checkpoints")));
        // The demo runs the demo preset, so `amt pretrain --preset demo` trains the same model.
        var config = JsonSerializer.Deserialize<AmtSharp.Training.Pretraining.PretrainConfig>(File.ReadAllText(F("config.json")), AmtSharp.Training.Runs.RunFolder.JsonOptions);
        var planned = AmtSharp.Core.ThreadPlanner.Plan(AmtSharp.Core.ThreadPlanner.AvailableCores, null, null);   // workers fit the cores
        Assert.Equal(AmtSharp.Training.Pretraining.PretrainPresets.Demo.Config.WithEpochs(2) with
        {
            Workers = planned.Workers,
            Precision = AmtSharp.Models.PrecisionSupport.Auto.Precision,   // what `auto` means on this machine
        }, config);

        // Report: both formats, every linked picture exists.
        string md = File.ReadAllText(F("report.md"));
        string html = File.ReadAllText(F("report.html"));
        Assert.Contains("linear probe", md);
        // The demo evaluates mean-patch features, and the report says so wherever it names them.
        Assert.Contains("| linear probe top-1 (mean-patch features) |", md);
        Assert.Contains("Frozen encoder, mean-patch features;", md);
        Assert.Contains("after MAE + AMT", md);
        Assert.Contains("at initialisation", md);
        Assert.Contains("of the top-quartile prior cells are on the object", md);
        foreach (var picture in new[] { "loss.png", "probe-accuracy.png", "masking-epoch-001.png", "masking-epoch-002.png", "attention-epoch-000.png", "attention-epoch-002.png", "prior-on-object.png" })
        {
            Assert.Contains($"]({picture})", md);
            Assert.Contains($"src=\"{picture}\"", html);
            Assert.True(File.Exists(F(picture)), picture);
        }

        // Curves.
        using (var loss = Decode(F("loss.png")))
        {
            Assert.Equal((960, 500), (loss.Width, loss.Height));
            Assert.True(Count(loss, 0, 0, loss.Width, loss.Height, c => c == new SKColor(214, 39, 40)) > 100, "AMT start marker missing");
        }
        using (var probe = Decode(F("probe-accuracy.png")))
        {
            Assert.Equal((960, 500), (probe.Width, probe.Height));
        }

        // Masking grids: 6 rows of image | prior | mask plan | reconstruction. Before training the plan is random
        // (no thrown patch, no prior yet); after the refresh at the end of epoch 1 it is AMT (thrown patches).
        // The demo trains on norm-pix targets, so the last column says where its patch statistics come from.
        var layout = MaskingGridLayout.For(DummyRows(SnapshotRows), SnapshotPictures.GridOptions("x", AmtSharp.Reporting.NormPixDenormalizer.ColumnTitle));
        var style = SnapshotPictures.GridOptions("x", "x").Style;
        var hatch = style.ThrownHatchColor.ToColor();
        var blank = style.BlankColor.ToColor();
        var missing = new SKColor(224, 224, 224);
        using (var before = Decode(F("masking-epoch-000.png")))
        using (var after = Decode(F("masking-epoch-001.png")))
        {
            foreach (var grid in new[] { before, after })
            {
                Assert.Equal((layout.Width, layout.Height), (grid.Width, grid.Height));
            }
            int patchArea = (layout.CellSize / 8) * (layout.CellSize / 8);
            for (int row = 0; row < SnapshotRows; row++)
            {
                Assert.Equal(0, CountInCell(before, layout, row, 2, c => c == hatch));
                Assert.True(CountInCell(after, layout, row, 2, c => c == hatch) > patchArea / 4, $"row {row}: no thrown patch in the AMT plan");
                Assert.True(CountInCell(after, layout, row, 3, c => c == blank) >= patchArea, $"row {row}: no blank thrown patch in the reconstruction");
                Assert.Equal(missing, Pixel(before, layout, row, 1, 2, 2));          // prior: n/a before the first refresh
                Assert.NotEqual(missing, Pixel(after, layout, row, 1, 2, 2));
                Assert.True(CountInCell(before, layout, row, 2, IsMaskTint) > patchArea, $"row {row}: no masked patch");
            }
        }
        using (var attention = Decode(F("attention-epoch-002.png")))
        {
            var attentionLayout = AttentionOverlayLayout.For(DummyCells(SnapshotRows), SnapshotPictures.AttentionOptions("x"));
            Assert.Equal(attentionLayout.Height, attention.Height);           // the width follows the title
            Assert.True(attention.Width >= attentionLayout.Width);
        }

        // TensorBoard: the independent reader parses every record; scalars are finite, images are the PNGs.
        var events = Directory.GetFiles(F("tensorboard"), "events.out.tfevents.*").SelectMany(EventFileReader.Read).ToList();
        Assert.Equal(EventWriterFile(), events[0].FileVersion);
        var scalars = events.SelectMany(e => e.Values.Where(v => v.SimpleValue is not null).Select(v => (e.Step, v.Tag, Value: v.SimpleValue!.Value))).ToList();
        Assert.Equal([1L, 2, 3, 4, 5, 6], scalars.Where(s => s.Tag == "train/loss").Select(s => s.Step));
        Assert.All(scalars, s => Assert.True(float.IsFinite(s.Value), s.Tag));
        foreach (var tag in new[] { "train/lr", "train/images_per_second", "epoch/loss", "prior/mean_entropy_fraction", "masking/top_quartile_thrown",
            "probe/trained/test_top1", "probe/at_initialisation/test_top1", "knn/trained/top1", "knn/at_initialisation/top1" })
        {
            Assert.Contains(scalars, s => s.Tag == tag);
        }
        Assert.Equal(3, scalars.Count(s => s.Tag == "probe/trained/test_top1"));
        Assert.All(scalars.Where(s => s.Tag.EndsWith("top1")), s => Assert.InRange(s.Value, 0f, 1f));
        var images = events.SelectMany(e => e.Values.Where(v => v.Image is not null).Select(v => (e.Step, v.Tag, v.Image!))).ToList();
        Assert.Equal([0L, 3, 6], images.Where(i => i.Tag == "snapshot/masking_grid").Select(i => i.Step));
        Assert.Equal(3, images.Count(i => i.Tag == "snapshot/attention"));
        foreach (var (_, _, image) in images)
        {
            using var decoded = SKBitmap.Decode(image.Encoded);
            Assert.Equal((image.Width, image.Height), (decoded.Width, decoded.Height));
        }
    }

    private static string EventWriterFile() => AmtSharp.Reporting.TensorBoard.EventWriter.FileVersion;

    // Masked patches: flat mask blue (darkened on the patch grid lines).
    private static bool IsMaskTint(SKColor c)
    {
        var m = new MaskStyle().MaskedColor.ToColor();
        return Math.Abs(c.Red - m.Red) <= 1 && Math.Abs(c.Green - m.Green) <= 1 && Math.Abs(c.Blue - m.Blue) <= 1;
    }

    internal static SKBitmap Decode(string path) => SKBitmap.Decode(path) ?? throw new Xunit.Sdk.XunitException($"{path} is not a PNG");

    internal static MaskingSample[] DummyRows(int rows, int size = 32, int grid = 8) =>
        [.. Enumerable.Range(0, rows).Select(_ => new MaskingSample(new float[3 * size * size], null, new int[grid * grid], null))];

    internal static AttentionSample[] DummyCells(int count, int size = 32) =>
        [.. Enumerable.Range(0, count).Select(_ => new AttentionSample(new float[3 * size * size], new float[64], new bool[size * size], "x"))];

    internal static int CountInCell(SKBitmap bitmap, MaskingGridLayout layout, int row, int column, Func<SKColor, bool> match)
    {
        var (x, y) = layout.CellOrigin(row, column);
        return Count(bitmap, x, y, layout.CellSize, layout.CellSize, match);
    }

    internal static int Count(SKBitmap bitmap, int x0, int y0, int width, int height, Func<SKColor, bool> match)
    {
        int n = 0;
        for (int y = y0; y < y0 + height; y++)
        {
            for (int x = x0; x < x0 + width; x++)
            {
                n += match(bitmap.GetPixel(x, y)) ? 1 : 0;
            }
        }
        return n;
    }

    private static SKColor Pixel(SKBitmap bitmap, MaskingGridLayout layout, int row, int column, int dx, int dy)
    {
        var (x, y) = layout.CellOrigin(row, column);
        return bitmap.GetPixel(x + dx, y + dy);
    }
}
