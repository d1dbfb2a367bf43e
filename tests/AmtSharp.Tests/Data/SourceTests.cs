using AmtSharp.Data;
using AmtSharp.Data.Sources;
using SkiaSharp;
using Xunit;

namespace AmtSharp.Tests.Data;

public sealed class SourceTests
{
    [Fact]
    public void ImageFolderSortsClassesAndFilesOrdinallyAndIgnoresOtherFiles()
    {
        using var dir = new TempDir();
        TestImages.Write(dir.File("b", "2.png"), TestImages.Gradient(4, 4, 2));
        TestImages.Write(dir.File("b", "10.PNG"), TestImages.Gradient(4, 4, 10));
        File.WriteAllBytes(dir.File("B", "x.JPEG"), TestImages.Encode(TestImages.Gradient(4, 4), SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(dir.File("a", "sub", "deep.bmp"), TestImages.Bmp(TestImages.Gradient(3, 2, 5)));
        File.WriteAllText(dir.File("a", "readme.txt"), "not an image");
        Directory.CreateDirectory(dir.File("empty"));

        ImageFolderSource src = ImageFolderSource.Open(dir.Path);

        Assert.Equal(["B", "a", "b", "empty"], src.ClassNames);
        Assert.Equal(["empty"], src.EmptyClasses);
        Assert.Equal(4, src.Count);
        Assert.Equal([0, 1, 2, 2], Enumerable.Range(0, 4).Select(src.LabelOf));
        Assert.EndsWith("10.PNG", src.Describe(2));
        Assert.EndsWith("2.png", src.Describe(3));
        Assert.Equal(10, src.Load(2).Pixels[2]);
        Assert.Equal((3, 2), (src.Load(1).Width, src.Load(1).Height));
    }

    [Fact]
    public void MissingOrImagelessRootIsADataException()
    {
        using var dir = new TempDir();
        string missing = Path.Combine(dir.Path, "nope");
        Assert.Contains(missing, Assert.Throws<DataException>(() => ImageFolderSource.Open(missing)).Message);
        Assert.Throws<DataException>(() => UnlabelledFolderSource.Open(missing));

        Directory.CreateDirectory(dir.File("cls"));
        File.WriteAllText(dir.File("cls", "a.txt"), "x");
        Assert.Contains(dir.Path, Assert.Throws<DataException>(() => ImageFolderSource.Open(dir.Path)).Message);
        Assert.Throws<DataException>(() => UnlabelledFolderSource.Open(dir.Path));
    }

    [Fact]
    public void FileThatVanishesAfterIndexingFailsNamingIt()
    {
        using var dir = new TempDir();
        string path = dir.File("c", "a.png");
        TestImages.Write(path, TestImages.Gradient(4, 4));
        ImageFolderSource src = ImageFolderSource.Open(dir.Path);
        File.Delete(path);
        Assert.Contains(path, Assert.Throws<DataException>(() => src.Load(0)).Message);
    }

    [Fact]
    public void UnlabelledFolderListsEveryImageRecursivelySorted()
    {
        using var dir = new TempDir();
        TestImages.Write(dir.File("z.png"), TestImages.Gradient(2, 2));
        TestImages.Write(dir.File("m", "n", "a.png"), TestImages.Gradient(2, 2));
        TestImages.Write(dir.File("a.webp"), TestImages.Gradient(2, 2), SKEncodedImageFormat.Webp);
        UnlabelledFolderSource src = UnlabelledFolderSource.Open(dir.Path);
        Assert.Equal(3, src.Count);
        Assert.Empty(src.ClassNames);
        Assert.Equal(-1, src.LabelOf(0));
        Assert.EndsWith("a.webp", src.Describe(0));
        Assert.EndsWith(Path.Combine("m", "n", "a.png"), src.Describe(1));
    }

    [Fact]
    public void Cifar10BinaryRecordsDecode()
    {
        using var dir = new TempDir();
        string root = dir.File("cifar-10-batches-bin", "x");
        root = Path.GetDirectoryName(root)!;
        File.WriteAllLines(Path.Combine(root, "batches.meta.txt"), [.. Enumerable.Range(0, 10).Select(i => $"class{i}"), ""]);
        for (int b = 1; b <= 5; b++)
        {
            File.WriteAllBytes(Path.Combine(root, $"data_batch_{b}.bin"), CifarRecords(count: 3, labelBytes: 1, seed: b));
        }
        File.WriteAllBytes(Path.Combine(root, "test_batch.bin"), CifarRecords(count: 2, labelBytes: 1, seed: 9));

        CifarSource train = CifarSource.Cifar10(dir.Path, train: true);
        Assert.Equal(15, train.Count);
        Assert.Equal(10, train.ClassNames.Count);
        // Record 1 of batch 2 is index 4; its label byte is (seed + record) % 10.
        Assert.Equal((2 + 1) % 10, train.LabelOf(4));
        RgbImage img = train.Load(4);
        Assert.Equal(PlanarPixel(2, 1, plane: 0, y: 5, x: 7), img.Pixels[img.Offset(5, 7)]);
        Assert.Equal(PlanarPixel(2, 1, plane: 2, y: 31, x: 0), img.Pixels[img.Offset(31, 0) + 2]);
        Assert.EndsWith("data_batch_2.bin#1", train.Describe(4));
        Assert.Equal(2, CifarSource.Cifar10(root, train: false).Count);
    }

    [Fact]
    public void Cifar100ChoosesFineOrCoarseLabels()
    {
        using var dir = new TempDir();
        string root = Path.GetDirectoryName(dir.File("cifar-100-binary", "x"))!;
        File.WriteAllLines(Path.Combine(root, "fine_label_names.txt"), Enumerable.Range(0, 100).Select(i => $"fine{i}"));
        File.WriteAllLines(Path.Combine(root, "coarse_label_names.txt"), Enumerable.Range(0, 20).Select(i => $"coarse{i}"));
        byte[] records = CifarRecords(count: 4, labelBytes: 2, seed: 3);
        File.WriteAllBytes(Path.Combine(root, "train.bin"), records);

        CifarSource fine = CifarSource.Cifar100(dir.Path, train: true);
        CifarSource coarse = CifarSource.Cifar100(dir.Path, train: true, Cifar100Labels.Coarse);
        Assert.Equal(100, fine.ClassNames.Count);
        Assert.Equal(20, coarse.ClassNames.Count);
        Assert.Equal(records[3074 + 1], fine.LabelOf(1));
        Assert.Equal(records[3074], coarse.LabelOf(1));
        RgbImage img = fine.Load(1);
        Assert.Equal(PlanarPixel(3, 1, plane: 1, y: 2, x: 3), img.Pixels[img.Offset(2, 3) + 1]);
        Assert.Throws<DataException>(() => CifarSource.Cifar100(dir.Path, train: false));
    }

    [Fact]
    public void CifarFileWithPartialRecordIsRejected()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("batches.meta.txt"), ["a", "b"]);
        File.WriteAllBytes(dir.File("test_batch.bin"), new byte[3073 + 5]);
        Assert.Contains("test_batch.bin", Assert.Throws<DataException>(() => CifarSource.Cifar10(dir.Path, train: false)).Message);
    }

    [Fact]
    public void Stl10PlanesAreColumnMajorAndLabelsStartAtZero()
    {
        using var dir = new TempDir();
        string root = Path.GetDirectoryName(dir.File("stl10_binary", "x"))!;
        File.WriteAllLines(Path.Combine(root, "class_names.txt"), Enumerable.Range(0, 10).Select(i => $"c{i}"));
        const int side = 96, plane = side * side;
        var images = new byte[2 * 3 * plane];
        // Image 1: R = row index, G = column index, B = 200, written column-major (x outer, y inner).
        for (int c = 0; c < 3; c++)
        {
            for (int x = 0; x < side; x++)
            {
                for (int y = 0; y < side; y++)
                {
                    images[3 * plane + c * plane + x * side + y] = (byte)(c == 0 ? y : c == 1 ? x : 200);
                }
            }
        }
        File.WriteAllBytes(Path.Combine(root, "train_X.bin"), images);
        File.WriteAllBytes(Path.Combine(root, "train_y.bin"), [10, 3]);
        File.WriteAllBytes(Path.Combine(root, "unlabeled_X.bin"), images);

        Stl10Source train = Stl10Source.Open(dir.Path, Stl10Split.Train);
        Assert.Equal(2, train.Count);
        Assert.Equal([9, 2], new[] { train.LabelOf(0), train.LabelOf(1) });
        RgbImage img = train.Load(1);
        Assert.Equal((96, 96), (img.Width, img.Height));
        Assert.Equal(new byte[] { 5, 70, 200 }, img.Pixels[img.Offset(5, 70)..(img.Offset(5, 70) + 3)]);

        Stl10Source unlabeled = Stl10Source.Open(root, Stl10Split.Unlabeled);
        Assert.Equal(-1, unlabeled.LabelOf(1));
        Assert.Empty(unlabeled.ClassNames);
        Assert.Throws<DataException>(() => Stl10Source.Open(root, Stl10Split.Test));
    }

    [Fact]
    public void TinyImageNetTrainAndValLayouts()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("wnids.txt"), ["n02", "n01"]);
        File.WriteAllLines(dir.File("words.txt"), ["n01\tgoldfish, Carassius auratus", "n02\tshark", "n99\tother"]);
        foreach (string w in new[] { "n01", "n02" })
        {
            for (int i = 0; i < 2; i++)
            {
                File.WriteAllBytes(dir.File("train", w, "images", $"{w}_{i}.JPEG"), TestImages.Encode(TestImages.Gradient(8, 8), SKEncodedImageFormat.Jpeg));
            }
            File.WriteAllText(dir.File("train", w, $"{w}_boxes.txt"), "");
        }
        File.WriteAllBytes(dir.File("val", "images", "val_1.JPEG"), TestImages.Encode(TestImages.Gradient(8, 8), SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(dir.File("val", "images", "val_0.JPEG"), TestImages.Encode(TestImages.Gradient(8, 8), SKEncodedImageFormat.Jpeg));
        File.WriteAllLines(dir.File("val", "val_annotations.txt"), ["val_1.JPEG\tn01\t0\t0\t8\t8", "val_0.JPEG\tn02\t0\t0\t8\t8"]);

        TinyImageNetSource train = TinyImageNetSource.Open(dir.Path, train: true);
        Assert.Equal(["n01", "n02"], train.Wnids);
        Assert.Equal(["goldfish, Carassius auratus", "shark"], train.ClassNames);
        Assert.Equal(4, train.Count);
        Assert.Equal([0, 0, 1, 1], Enumerable.Range(0, 4).Select(train.LabelOf));
        Assert.Equal(8, train.Load(3).Width);

        TinyImageNetSource val = TinyImageNetSource.Open(dir.Path, train: false);
        Assert.EndsWith("val_0.JPEG", val.Describe(0));
        Assert.Equal([1, 0], new[] { val.LabelOf(0), val.LabelOf(1) });
    }

    [Fact]
    public void SyntheticIsDeterministicLabelledAndHasMasks()
    {
        var a = SyntheticShapesSource.Train(seed: 7, count: 50);
        var b = SyntheticShapesSource.Train(seed: 7, count: 5000);
        var other = SyntheticShapesSource.Train(seed: 8, count: 50);
        var test = SyntheticShapesSource.Test(seed: 7, count: 50);
        Assert.Equal(a.Load(13).Pixels, b.Load(13).Pixels);
        Assert.NotEqual(a.Load(13).Pixels, other.Load(13).Pixels);
        Assert.NotEqual(a.Load(13).Pixels, test.Load(13).Pixels);
        Assert.Equal(10, a.ClassNames.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i % 10), Enumerable.Range(0, 20).Select(a.LabelOf));

        float[] mask = a.ForegroundMask(13, out int w, out int h);
        Assert.Equal((32, 32, 32 * 32), (w, h, mask.Length));
        Assert.All(mask, v => Assert.InRange(v, 0f, 1f));
        float coverage = mask.Average();
        Assert.InRange(coverage, 0.02f, 0.5f);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(224)]
    public void SyntheticWorksAtLargerSizes(int size)
    {
        var src = SyntheticShapesSource.Train(seed: 1, count: 10, size: size);
        RgbImage img = src.Load(9);
        Assert.Equal((size, size), (img.Width, img.Height));
        Assert.InRange(src.ForegroundMask(9, out _, out _).Average(), 0.01f, 0.5f);
    }

    [Fact]
    public void SyntheticColourDoesNotGiveAwayTheClass()
    {
        // The mean object colour per class should be about the same for every class.
        var src = SyntheticShapesSource.Train(seed: 2, count: 1000);
        var sums = new double[10, 3];
        for (int i = 0; i < src.Count; i++)
        {
            RgbImage img = src.Load(i);
            float[] m = src.ForegroundMask(i, out _, out _);
            double weight = m.Sum();
            for (int c = 0; c < 3; c++)
            {
                double s = 0;
                for (int p = 0; p < m.Length; p++)
                {
                    s += m[p] * img.Pixels[3 * p + c];
                }
                sums[src.LabelOf(i), c] += s / weight / 100;
            }
        }
        for (int c = 0; c < 3; c++)
        {
            double[] perClass = Enumerable.Range(0, 10).Select(k => sums[k, c]).ToArray();
            Assert.True(perClass.Max() - perClass.Min() < 40, $"channel {c}: class means {string.Join(", ", perClass.Select(v => v.ToString("F0")))}");
        }
    }

    [Fact]
    public void PlainSyntheticIsGreyAndNoClassHasMoreObjectThanAnother()
    {
        // The demo's set: only the outline may tell the class, not colour, brightness or the object's area.
        var src = SyntheticShapesSource.Train(seed: 3, count: 1000, style: SyntheticStyle.Plain);
        var area = new double[10];
        var brightness = new double[10];
        for (int i = 0; i < src.Count; i++)
        {
            RgbImage img = src.Load(i);
            for (int p = 0; p < img.Width * img.Height; p++)
            {
                Assert.True(img.Pixels[3 * p] == img.Pixels[3 * p + 1] && img.Pixels[3 * p] == img.Pixels[3 * p + 2], $"image {i}, pixel {p} is not grey");
            }
            float[] m = src.ForegroundMask(i, out _, out _);
            double weight = m.Sum();
            area[src.LabelOf(i)] += weight / m.Length / 100;
            brightness[src.LabelOf(i)] += m.Select((v, p) => v * img.Pixels[3 * p]).Sum() / weight / 100;
        }
        // The placement's radius varies by ±13 % and edges are clipped now and then, so the per-class means of 100
        // images differ by a few points of coverage; unscaled, the circle covers three times the diamond.
        Assert.True(area.Max() / area.Min() < 1.15, $"object coverage per class: {string.Join(", ", area.Select(v => v.ToString("F3")))}");
        Assert.True(brightness.Max() - brightness.Min() < 25, $"object brightness per class: {string.Join(", ", brightness.Select(v => v.ToString("F0")))}");
    }

    [SkippableFact]
    public void RealCifar10FolderIndexesWhenPresent()
    {
        string? root = SharedCifar10Train();
        Skip.If(root == null, NoCifar10);
        ImageFolderSource src = ImageFolderSource.Open(root);
        Assert.Equal(50_000, src.Count);
        Assert.Equal(10, src.ClassNames.Count);
        RgbImage img = src.Load(src.Count - 1);
        Assert.Equal((32, 32), (img.Width, img.Height));
        Assert.Equal(9, src.LabelOf(src.Count - 1));
    }

    internal const string NoCifar10 = "no CIFAR-10 ImageFolder at ../shared/datasets/cifar10/train or /work/shared/datasets/cifar10/train";

    /// <summary>The shared CIFAR-10 folder if this machine has it (../shared from the repo root, or /work/shared).</summary>
    internal static string? SharedCifar10Train()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "Directory.Build.props")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        string[] candidates =
        [
            .. dir == null ? Array.Empty<string>() : [Path.Combine(dir, "..", "shared", "datasets", "cifar10", "train")],
            "/work/shared/datasets/cifar10/train",
        ];
        return candidates.FirstOrDefault(Directory.Exists);
    }

    /// <summary>The byte the test writer puts at (plane, y, x) of record <paramref name="record"/> in file <paramref name="seed"/>.</summary>
    private static byte PlanarPixel(int seed, int record, int plane, int y, int x) =>
        (byte)((seed * 31 + record * 17 + plane * 101 + y * 7 + x * 3) % 251);

    private static byte[] CifarRecords(int count, int labelBytes, int seed)
    {
        int size = labelBytes + 3072;
        var data = new byte[count * size];
        for (int r = 0; r < count; r++)
        {
            int o = r * size;
            for (int l = 0; l < labelBytes; l++)
            {
                data[o + l] = (byte)((seed + r + 7 * l) % (l == labelBytes - 1 && labelBytes == 2 ? 100 : labelBytes == 2 ? 20 : 10));
            }
            for (int p = 0; p < 3; p++)
            {
                for (int y = 0; y < 32; y++)
                {
                    for (int x = 0; x < 32; x++)
                    {
                        data[o + labelBytes + p * 1024 + y * 32 + x] = PlanarPixel(seed, r, p, y, x);
                    }
                }
            }
        }
        return data;
    }
}
