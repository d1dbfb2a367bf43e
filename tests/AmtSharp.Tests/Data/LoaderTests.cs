using System.Runtime.InteropServices;
using AmtSharp.Benchmarks;
using AmtSharp.Core;
using AmtSharp.Data;
using AmtSharp.Data.Loading;
using AmtSharp.Data.Sources;
using AmtSharp.Data.Transforms;
using TorchSharp;
using Xunit;

namespace AmtSharp.Tests.Data;

public sealed class LoaderTests
{
    internal static readonly SyntheticShapesSource Shapes = SyntheticShapesSource.Train(seed: 4, count: 70);

    private static float[] Pixels(ImageBatch batch) => MemoryMarshal.Cast<byte, float>(batch.Images.bytes).ToArray();

    private static List<(int[] Indices, long[] Labels, CropGeometry[] Geometry, float[] Pixels)> ReadAll(ImageLoader loader, int epoch, int start = 0)
    {
        var result = new List<(int[], long[], CropGeometry[], float[])>();
        foreach (ImageBatch b in loader.Epoch(epoch, start))
        {
            using (b)
            {
                result.Add((b.Indices, b.Labels, b.Geometry, Pixels(b)));
            }
        }
        return result;
    }

    [Fact]
    public void BatchesHoldTheRenderedSamplesWithTheirLabelsAndGeometry()
    {
        var loader = new ImageLoader(Shapes, new LoaderOptions(TransformSpec.Train(32), BatchSize: 16, Seed: 5));
        using ImageBatch batch = loader.Epoch(3).First();
        Assert.Equal(new long[] { 16, 3, 32, 32 }, batch.Images.shape);
        Assert.Equal(torch.ScalarType.Float32, batch.Images.dtype);
        Assert.Equal(loader.EpochOrder(3)[..16], batch.Indices);

        // Sample 5 must be exactly what the transform makes from its own seed.
        int index = batch.Indices[5];
        Assert.Equal(Shapes.LabelOf(index), batch.Labels[5]);
        CropGeometry expected = TransformSpec.Train(32).SampleGeometry(32, 32, Seeds.Random(5, Seeds.Purpose.Augment, 3, index));
        Assert.Equal(expected, batch.Geometry[5]);
        var direct = new float[3 * 32 * 32];
        CropRenderer.RenderNormalized(Shapes.Load(index), expected, 32, Normalization.ImageNet, direct);
        Assert.Equal(direct, Pixels(batch).AsSpan(5 * direct.Length, direct.Length).ToArray());
    }

    [Fact]
    public void ResultsDoNotDependOnWorkerCount()
    {
        var one = ReadAll(new ImageLoader(Shapes, new LoaderOptions(TransformSpec.Train(32), BatchSize: 8, Seed: 1, Workers: 1, Prefetch: 1)), 2);
        var three = ReadAll(new ImageLoader(Shapes, new LoaderOptions(TransformSpec.Train(32), BatchSize: 8, Seed: 1, Workers: 3, Prefetch: 5)), 2);
        Assert.Equal(8, one.Count);
        Assert.Equal(one.Count, three.Count);
        for (int k = 0; k < one.Count; k++)
        {
            Assert.Equal(one[k].Indices, three[k].Indices);
            Assert.Equal(one[k].Geometry, three[k].Geometry);
            Assert.Equal(one[k].Pixels, three[k].Pixels);
        }
    }

    [Fact]
    public void ResumingAtABatchGivesTheSameTail()
    {
        var loader = new ImageLoader(Shapes, new LoaderOptions(TransformSpec.Train(32), BatchSize: 8, Seed: 1));
        var full = ReadAll(loader, 1);
        var tail = ReadAll(loader, 1, start: 5);
        Assert.Equal(full.Count - 5, tail.Count);
        for (int k = 0; k < tail.Count; k++)
        {
            Assert.Equal(full[k + 5].Indices, tail[k].Indices);
            Assert.Equal(full[k + 5].Pixels, tail[k].Pixels);
        }
    }

    [Fact]
    public void EpochsShuffleDifferentlyAndSequentialModeKeepsOrder()
    {
        var shuffled = new ImageLoader(Shapes, new LoaderOptions(TransformSpec.Train(32), Seed: 1));
        Assert.NotEqual(shuffled.EpochOrder(0), shuffled.EpochOrder(1));
        Assert.Equal(Enumerable.Range(0, 70), shuffled.EpochOrder(0).Order());

        var sequential = new ImageLoader(Shapes, LoaderOptions.Sequential(TransformSpec.Resize(16), batchSize: 32));
        var batches = ReadAll(sequential, 0);
        Assert.Equal([32, 32, 6], batches.Select(b => b.Indices.Length));
        Assert.Equal(Enumerable.Range(0, 70), batches.SelectMany(b => b.Indices));
        Assert.All(batches.SelectMany(b => b.Geometry), g => Assert.Equal(CropGeometry.Identity, g));
    }

    [Fact]
    public void DropLastDropsThePartialBatch()
    {
        var loader = new ImageLoader(Shapes, new LoaderOptions(TransformSpec.Resize(8), BatchSize: 32, DropLast: true));
        Assert.Equal(2, loader.BatchesPerEpoch);
        Assert.Equal(2, ReadAll(loader, 0).Count);
    }

    [Fact]
    public void FailPolicyStopsWithTheFileName()
    {
        using var dir = new TempDir();
        string bad = WriteFolderWithOneBadFile(dir);
        var loader = new ImageLoader(ImageFolderSource.Open(dir.Path), LoaderOptions.Sequential(TransformSpec.Resize(8), batchSize: 2));
        var e = Assert.Throws<DataException>(() => ReadAll(loader, 0));
        Assert.Contains(bad, e.Message);
    }

    [Fact]
    public void SkipPolicySubstitutesTheNextImageAndCountsIt()
    {
        using var dir = new TempDir();
        string bad = WriteFolderWithOneBadFile(dir);
        var warnings = new List<string>();
        var log = new BadInputLog(m => { lock (warnings) { warnings.Add(m); } });
        var options = LoaderOptions.Sequential(TransformSpec.Resize(8), batchSize: 2) with
        {
            OnBadInput = BadInputPolicy.Skip,
            BadInputs = log,
        };
        var loader = new ImageLoader(ImageFolderSource.Open(dir.Path), options);
        var first = ReadAll(loader, 0);
        var second = ReadAll(loader, 1);

        // Files: a/0.png a/1.png a/2.png(bad) b/3.png b/4.png -> index 2 is replaced by index 3.
        Assert.Equal([0, 1, 3, 3, 4], first.SelectMany(b => b.Indices));
        Assert.Equal([0L, 0, 1, 1, 1], first.SelectMany(b => b.Labels));
        Assert.Equal(first.SelectMany(b => b.Indices), second.SelectMany(b => b.Indices));
        Assert.Equal(1, log.Count);
        Assert.Equal(bad, log.Entries[0].Path);
        Assert.Single(warnings);
        Assert.Contains(bad, warnings[0]);
    }

    [Fact]
    public void ABadFileIsWarnedAboutOncePerRunAcrossEpochsAndLoaders()
    {
        // A run's training loader and each prior pass are separate loaders; they share the run's log.
        using var dir = new TempDir();
        string bad = WriteFolderWithOneBadFile(dir);
        var source = ImageFolderSource.Open(dir.Path);
        var warnings = new List<string>();
        var log = new BadInputLog(m => { lock (warnings) { warnings.Add(m); } });
        var train = new ImageLoader(source, new LoaderOptions(TransformSpec.Train(8), BatchSize: 2, DropLast: false, Workers: 2,
            OnBadInput: BadInputPolicy.Skip, BadInputs: log));
        for (int epoch = 0; epoch < 3; epoch++)
        {
            ReadAll(train, epoch);
            var priorPass = new ImageLoader(source, LoaderOptions.Sequential(TransformSpec.Resize(8), batchSize: 2) with
            {
                OnBadInput = BadInputPolicy.Skip,
                BadInputs = log,
            });
            ReadAll(priorPass, 0);
        }
        Assert.Equal([$"warning: skipping {bad}: {log.Entries[0].Reason}"], warnings);
        Assert.Equal(1, log.Count);
    }

    [Fact]
    public void CancellationReachesTheConsumer()
    {
        var loader = new ImageLoader(Shapes, new LoaderOptions(TransformSpec.Train(32), BatchSize: 4));
        using var cts = new CancellationTokenSource();
        int seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (ImageBatch b in loader.Epoch(0, cancellation: cts.Token))
            {
                b.Dispose();
                if (++seen == 2)
                {
                    cts.Cancel();
                }
            }
        });
        Assert.Equal(2, seen);
    }

    [Fact]
    public void BenchmarkReportsThroughput()
    {
        double ips = LoaderBenchmark.Run(Shapes, size: 32, workers: 2, batchSize: 16, batches: 6);
        Assert.True(ips > 0);
    }

    [SkippableFact]
    public void RealCifar10LoadsWhenPresent()
    {
        string? root = SourceTests.SharedCifar10Train();
        Skip.If(root == null, SourceTests.NoCifar10);
        var loader = new ImageLoader(ImageFolderSource.Open(root), new LoaderOptions(TransformSpec.Train(32), BatchSize: 64));
        using ImageBatch batch = loader.Epoch(0).First();
        Assert.Equal(new long[] { 64, 3, 32, 32 }, batch.Images.shape);
        Assert.All(batch.Labels, l => Assert.InRange(l, 0, 9));
    }

    /// <summary>Two classes, five files; the third (a/2.png) is text with an image extension. Returns its path.</summary>
    private static string WriteFolderWithOneBadFile(TempDir dir)
    {
        for (int i = 0; i < 5; i++)
        {
            string path = dir.File(i < 3 ? "a" : "b", $"{i}.png");
            if (i == 2)
            {
                File.WriteAllText(path, "not a png");
            }
            else
            {
                TestImages.Write(path, TestImages.Gradient(6, 6, (byte)i));
            }
        }
        return dir.File("a", "2.png");
    }
}

/// <summary>Reads the process-wide live-tensor count, so it runs alone (<see cref="GlobalStateCollection"/>).</summary>
[Collection(GlobalStateCollection.Name)]
public sealed class LoaderTensorCountTests
{
    [Fact]
    public void StoppingEarlyLeavesNoTensorsBehind()
    {
        var loader = new ImageLoader(LoaderTests.Shapes, new LoaderOptions(TransformSpec.Train(16), BatchSize: 4, Workers: 2, Prefetch: 3));
        // Warm up once so lazily created tensors do not count.
        foreach (ImageBatch b in loader.Epoch(0).Take(1))
        {
            b.Dispose();
        }
        // Let finalizers of other tests' tensors run first, so only this loader's tensors move the count.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        for (int round = 0; round < 5; round++)
        {
            foreach (ImageBatch b in loader.Epoch(round).Take(2))
            {
                b.Dispose();
            }
        }
        Assert.Equal(before, torch.Tensor.TotalCount);
    }
}
