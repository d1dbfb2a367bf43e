using System.Diagnostics;
using AmtSharp.Cli;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Sources;
using AmtSharp.Data.Transforms;
using AmtSharp.Tests.Cli;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Data;

/// <summary>Layout detection, the labelled evaluation split, FIFOs in a dataset and `amt data inspect`, on generated folders.</summary>
// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class DatasetLayoutTests
{
    // The 16 px encoder-only MAE fixture: kNN runs in well under a second on it.
    private static string Checkpoint => TestUtil.FixturePath(Interop.InteropTestData.EncoderOnlyMae);

    private static void Png(TempDir dir, params string[] parts) => TestImages.Write(dir.File(parts), TestImages.Gradient(8, 8));

    /// <summary>A Tiny-ImageNet-shaped tree: two wnids, labelled val/, unlabelled test/images.</summary>
    private static void TinyImageNet(TempDir dir)
    {
        File.WriteAllText(dir.File("wnids.txt"), "n02\nn01\n");
        File.WriteAllText(dir.File("words.txt"), "n01\tgoldfish, Carassius auratus\nn02\ttabby, tabby cat\nn99\tunused\n");
        Png(dir, "train", "n01", "images", "n01_0.JPEG.png");
        Png(dir, "train", "n01", "images", "n01_1.png");
        Png(dir, "train", "n02", "images", "n02_0.png");
        Png(dir, "val", "images", "val_0.png");
        Png(dir, "val", "images", "val_1.png");
        Png(dir, "val", "images", "val_2.png");
        File.WriteAllText(dir.File("val", "val_annotations.txt"), "val_0.png\tn02\t0\t0\t8\t8\nval_1.png\tn01\t0\t0\t8\t8\nval_2.png\tn02\t0\t0\t8\t8\n");
        for (int i = 0; i < 5; i++)
        {
            Png(dir, "test", "images", $"test_{i}.png");
        }
    }

    [Fact]
    public void ImageFolderWithTrainAndTestIsAFolder()
    {
        using var dir = new TempDir();
        Png(dir, "train", "cat", "a.png");
        Png(dir, "test", "cat", "b.png");
        Assert.Equal(DatasetFormat.Folder, DatasetLayout.Detect(dir.Path));
    }

    [Fact]
    public void AFolderOfClassFoldersIsAFolder()
    {
        using var dir = new TempDir();
        Png(dir, "cat", "a.png");
        Png(dir, "dog", "b.png");
        Assert.Equal(DatasetFormat.Folder, DatasetLayout.Detect(dir.Path));
    }

    [Fact]
    public void TinyImageNetArchiveLayoutIsRecognised()
    {
        using var dir = new TempDir();
        TinyImageNet(dir);
        Assert.Equal(DatasetFormat.TinyImageNet, DatasetLayout.Detect(dir.Path));
    }

    [Theory]
    [InlineData("cifar-10-batches-bin", "data_batch_1.bin", DatasetFormat.Cifar10)]
    [InlineData("", "batches.meta.txt", DatasetFormat.Cifar10)]
    [InlineData("cifar-100-binary", "train.bin", DatasetFormat.Cifar100)]
    [InlineData("", "fine_label_names.txt", DatasetFormat.Cifar100)]
    [InlineData("stl10_binary", "train_X.bin", DatasetFormat.Stl10)]
    [InlineData("", "unlabeled_X.bin", DatasetFormat.Stl10)]
    public void BinaryArchivesAreRecognisedByTheirFiles(string folder, string file, DatasetFormat expected)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(folder.Length > 0 ? dir.File(folder, file) : dir.File(file), [1, 2, 3]);
        Assert.Equal(expected, DatasetLayout.Detect(dir.Path));
    }

    [Fact]
    public void LooseImagesAreUnlabelled()
    {
        using var dir = new TempDir();
        Png(dir, "a.png");
        Png(dir, "b.png");
        Assert.Equal(DatasetFormat.Unlabelled, DatasetLayout.Detect(dir.Path));
    }

    [Fact]
    public void AFolderWithNothingRecognisableIsRefusedByName()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.txt"), "hello");
        var e = Assert.Throws<DataException>(() => DatasetLayout.Detect(dir.Path));
        Assert.Equal(dir.Path, e.Path);
        Assert.Contains(dir.Path, e.Message);
        // An empty sub-folder looks like a class folder, but no command can use the folder: one line naming it.
        Directory.CreateDirectory(dir.File("empty"));
        Assert.Contains(dir.Path, CliHarness.UserError("data", "inspect", dir.Path));
    }

    [Fact]
    public void TinyImageNetWithoutAFormatEvaluatesOnLabelledVal()
    {
        using var dir = new TempDir();
        TinyImageNet(dir);
        DatasetSplit test = DatasetSpec.For(dir.Path, format: null).OpenTestSplit();
        Assert.Equal("val", test.Name);
        Assert.Equal(3, test.Source.Count);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Contains(Path.Combine("val", "images"), test.Source.Describe(i)));
        // Classes in wnid order: n01 = 0, n02 = 1; val_0 and val_2 are n02, val_1 is n01.
        Assert.Equal([1, 0, 1], Enumerable.Range(0, 3).Select(test.Source.LabelOf));
        Assert.StartsWith("goldfish", test.Source.ClassNames[0]);
        Assert.StartsWith("tabby", test.Source.ClassNames[1]);
    }

    [Fact]
    public void TinyImageNetKnnWithoutAFormatUsesValNotTheUnlabelledTest()
    {
        using var dir = new TempDir();
        TinyImageNet(dir);
        var (code, output, error) = CliHarness.Run("knn", "-c", Checkpoint, "--heads", "4", "--data", dir.Path, "--k", "1");
        Assert.True(code == 0, error);
        Assert.Contains("val: 3 images, 2 classes, labelled: yes", output + error);
        Assert.DoesNotContain("test: 5 images", output + error);
    }

    [Fact]
    public void AnImageFolderWhoseTestHasNoTrainingClassesIsRefusedNamingTheSplit()
    {
        using var dir = new TempDir();
        Png(dir, "train", "cat", "a.png");
        Png(dir, "train", "dog", "b.png");
        Png(dir, "test", "x.png");                      // test/ holds loose images, no class folders
        var e = Assert.Throws<DataException>(() => DatasetSpec.For(dir.Path, format: null).OpenTestSplit());
        Assert.Contains("test", e.Message);
        string line = CliHarness.UserError("knn", "-c", Checkpoint, "--heads", "4", "--data", dir.Path);
        Assert.Contains("test", line);
    }

    [Fact]
    public void DataInspectNamesTheFormatAndCountsEachSplit()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 3; i++)
        {
            Png(dir, "train", "cat", $"{i}.png");
        }
        for (int i = 0; i < 2; i++)
        {
            Png(dir, "train", "dog", $"{i}.png");
            Png(dir, "train", "owl", $"{i}.png");
        }
        Png(dir, "test", "cat", "t.png");
        Png(dir, "test", "dog", "t.png");
        Png(dir, "test", "owl", "t.png");
        Png(dir, "test", "owl", "u.png");
        var (code, output, error) = CliHarness.Run("data", "inspect", dir.Path);
        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(["folder", "train: 7 images, 3 classes, labelled: yes", "test: 4 images, 3 classes, labelled: yes"], lines);
    }

    [SkippableFact]
    public async Task AFifoInAClassFolderIsSkippedWithoutHanging()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo: the statx check is what runs on Linux");
        using var dir = new TempDir();
        Png(dir, "cat", "a.png");
        Png(dir, "cat", "b.png");
        Png(dir, "dog", "c.png");
        string fifo = dir.File("dog", "pipe.png");
        using (var mk = Process.Start(new ProcessStartInfo("mkfifo", fifo) { UseShellExecute = false })!)
        {
            mk.WaitForExit();
            Assert.Equal(0, mk.ExitCode);
        }

        var load = Task.Run(() =>
        {
            var source = DatasetSpec.For(dir.Path, format: null).OpenTrain();
            var loader = new ImageLoader(source, new LoaderOptions(TransformSpec.Train(16), BatchSize: 3, Seed: 1, Workers: 1, Prefetch: 1));
            using ImageBatch batch = loader.Epoch(0).First();
            return (source.Count, source.SkippedFiles, batch.Indices.Length);
        });
        // WaitAsync throws TimeoutException if the FIFO blocks the loader.
        var (count, skipped, batchSize) = await load.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(3, count);
        Assert.Equal(3, batchSize);
        Assert.Equal(fifo, Assert.Single(skipped).Path);

        var inspect = Task.Run(() => CliHarness.Run("data", "inspect", dir.Path));
        var (code, output, error) = await inspect.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(code == 0, error);
        Assert.Contains($"skip: {fifo}", output);
    }
}
