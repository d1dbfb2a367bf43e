using AmtSharp.Core;
using AmtSharp.Training.Checkpoints;
using AmtSharp.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "amtsharp-ckpt-" + Guid.NewGuid().ToString("N"));
    private static readonly LrSchedule Schedule = new(BaseLr: 0.05, EffectiveBatch: 256, WarmupEpochs: 1, Epochs: 4);

    public CheckpointTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static (TinyVit model, AdamW opt, double[] scales) Build(long seed)
    {
        var model = new TinyVit(seed: seed);
        var groups = ParamGroups.DecayNoDecay(model, 0.05);
        return (model, AdamWFactory.Create(groups, new AdamWConfig(Schedule.PeakLr)), ParamGroups.Scales(groups));
    }

    /// <summary>One training step on data that depends only on (seed, step), as the trainer will do.</summary>
    private static void TrainStep(TinyVit model, AdamW opt, double[] scales, int step)
    {
        using var scope = torch.NewDisposeScope();
        var g = new Generator((ulong)Seeds.Derive(42, Seeds.Purpose.Synthetic, step));
        var x = torch.randn(new long[] { 4, TinyVit.Tokens, TinyVit.InDim }, generator: g);
        var y = torch.randint(0, 3, new long[] { 4 }, generator: g);
        Schedule.Apply(opt, scales, LrSchedule.Tau(step / 2, step % 2, 2));
        opt.zero_grad();
        nn.functional.cross_entropy(model.forward(x), y).backward();
        opt.step();
    }

    private static CheckpointData Snapshot(TinyVit model, AdamW opt, int step) =>
        new CheckpointData()
            .With("step", step)
            .With("config", new { lr = 0.05, note = "tiny" })
            .AddModule("model", model)
            .AddOptimizer("optim", opt)
            .AddArray("prior", new FloatArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3));

    private string SaveTrained(string name, int steps = 2)
    {
        var (model, opt, scales) = Build(1);
        using (model)
        using (opt)
        {
            for (int s = 0; s < steps; s++)
            {
                TrainStep(model, opt, scales, s);
            }
            using var data = Snapshot(model, opt, steps);
            CheckpointFile.Save(P(name), data);
        }
        return P(name);
    }

    [Fact]
    public void RoundTripRestoresModelOptimizerMetadataAndArrays()
    {
        var (model, opt, scales) = Build(1);
        using var _m = model;
        using var _o = opt;
        TrainStep(model, opt, scales, 0);
        TrainStep(model, opt, scales, 1);
        using (var data = Snapshot(model, opt, 2))
        {
            CheckpointFile.Save(P("a.amtckpt"), data);
        }

        var (fresh, freshOpt, _) = Build(99);
        using var _f = fresh;
        using var _fo = freshOpt;
        using var ck = CheckpointFile.Load(P("a.amtckpt"));
        var report = ck.ApplyModule("model", fresh);
        ck.ApplyOptimizer("optim", freshOpt);

        Assert.True(report.IsExact);
        var a = model.state_dict();
        var b = fresh.state_dict();
        Assert.All(a, kv => Assert.True(kv.Value.eq(b[kv.Key]).all().item<bool>(), kv.Key));
        var sa = opt.state_dict().State.Cast<AdamW.State>().ToList();
        var sb = freshOpt.state_dict().State.Cast<AdamW.State>().ToList();
        for (int i = 0; i < sa.Count; i++)
        {
            Assert.Equal(2, sb[i].step);
            Assert.True(sa[i].exp_avg.eq(sb[i].exp_avg).all().item<bool>());
            Assert.True(sa[i].exp_avg_sq.eq(sb[i].exp_avg_sq).all().item<bool>());
        }
        Assert.Equal(
            opt.ParamGroups.Select(g => g.LearningRate),
            freshOpt.ParamGroups.Select(g => g.LearningRate));
        Assert.Equal(2, ck.Get<int>("step"));
        Assert.Equal("tiny", ck.Metadata["config"]!["note"]!.GetValue<string>());
        Assert.Equal(LibraryInfo.Version, ck.Get<string>("amtsharp_version"));
        Assert.Equal(new long[] { 2, 3 }, ck.Array("prior").Shape);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, ck.Array("prior").Data);
    }

    [Fact]
    public void ResumeGivesBitwiseIdenticalWeightsToAnUninterruptedRun()
    {
        const int total = 5, cut = 3;
        var (refModel, refOpt, scales) = Build(1);
        using var _r = refModel;
        using var _ro = refOpt;
        for (int s = 0; s < total; s++)
        {
            TrainStep(refModel, refOpt, scales, s);
            if (s == cut - 1)
            {
                using var data = Snapshot(refModel, refOpt, cut);
                CheckpointFile.Save(P("cut.amtckpt"), data);
            }
        }

        var (model, opt, _) = Build(123); // different init: everything must come from the file
        using var _m = model;
        using var _o = opt;
        int start;
        using (var ck = CheckpointFile.Load(P("cut.amtckpt")))
        {
            ck.ApplyModule("model", model);
            ck.ApplyOptimizer("optim", opt);
            start = ck.Get<int>("step");
        }
        for (int s = start; s < total; s++)
        {
            TrainStep(model, opt, scales, s);
        }

        var expected = refModel.state_dict();
        foreach (var (k, t) in model.state_dict())
        {
            Assert.True(t.eq(expected[k]).all().item<bool>(), $"{k} differs after resume");
        }
    }

    [Fact]
    public void TruncatedFileIsRefused()
    {
        var path = SaveTrained("t.amtckpt");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path));
        Assert.Contains("truncated", e.Message);
        Assert.Contains(path, e.Message);

        File.WriteAllBytes(path, bytes[..10]);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path)).Message);
    }

    [Fact]
    public void FlippedByteIsRefused()
    {
        var path = SaveTrained("f.amtckpt");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length * 2 / 3] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path));
        Assert.Contains("checksum", e.Message);
        Assert.Equal(Path.GetFullPath(path), e.FilePath);
    }

    [Fact]
    public void WrongMagicIsRefused()
    {
        var path = P("m.amtckpt");
        File.WriteAllText(path, "PK\u0003\u0004 this is a zip, not ours");
        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path));
        Assert.Contains("magic", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void UnsupportedVersionIsRefused()
    {
        var path = SaveTrained("v.amtckpt");
        var bytes = File.ReadAllBytes(path);
        bytes[8] = 7;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("version 7", Assert.Throws<CheckpointException>(() => CheckpointFile.Load(path)).Message);
    }

    [Fact]
    public void MismatchedModelReportsMissingUnexpectedAndShapes()
    {
        var path = SaveTrained("mm.amtckpt");
        using var ck = CheckpointFile.Load(path);

        using var deeper = new TinyVit(depth: 3);
        var e = Assert.Throws<CheckpointException>(() => ck.ApplyModule("model", deeper));
        Assert.Contains(path, e.Message);
        Assert.Contains("missing keys", e.Message);
        Assert.Contains("blocks.2.fc.weight", e.Message);

        using var shallower = new TinyVit(depth: 1);
        e = Assert.Throws<CheckpointException>(() => ck.ApplyModule("model", shallower));
        Assert.Contains("unexpected keys", e.Message);
        Assert.Contains("blocks.1.norm1.bias", e.Message);

        using var wider = new TinyVit(d: 6);
        e = Assert.Throws<CheckpointException>(() => ck.ApplyModule("model", wider, strict: false));
        Assert.Contains("head.weight: checkpoint [3, 8] vs model [3, 6]", e.Message);

        // Non-strict loading tolerates extra/missing keys but reports them.
        var report = ck.ApplyModule("model", shallower, strict: false);
        Assert.Contains("blocks.1.fc.weight", report.Unexpected);

        // The optimizer state of a different model is refused too.
        var groups = ParamGroups.DecayNoDecay(shallower, 0.05);
        using var opt = AdamWFactory.Create(groups, new AdamWConfig(1e-3));
        var oe = Assert.Throws<CheckpointException>(() => ck.ApplyOptimizer("optim", opt));
        Assert.Contains("unexpected", oe.Message);
    }

    [Fact]
    public void OptimizerStateForADifferentParameterOrderIsRefused()
    {
        using var m = new TinyVit();
        var groups = ParamGroups.DecayNoDecay(m, 0.05);
        using var opt = AdamWFactory.Create(groups, new AdamWConfig(1e-3));
        var names = groups.SelectMany(g => g.ParameterNames).ToList();
        using (var d = new CheckpointData().AddOptimizer("optim", opt, names))
        {
            CheckpointFile.Save(P("order.amtckpt"), d);
        }
        using var ck = CheckpointFile.Load(P("order.amtckpt"));
        ck.ApplyOptimizer("optim", opt, names); // same order: fine

        var swapped = names.ToList();
        (swapped[0], swapped[1]) = (swapped[1], swapped[0]);
        var e = Assert.Throws<CheckpointException>(() => ck.ApplyOptimizer("optim", opt, swapped));
        Assert.Contains($"position 0 is '{names[0]}'", e.Message);
    }

    [Fact]
    public void EmptyFileIsRefused()
    {
        File.WriteAllBytes(P("empty.amtckpt"), Array.Empty<byte>());
        Assert.Contains("is empty", Assert.Throws<CheckpointException>(() => CheckpointFile.Load(P("empty.amtckpt"))).Message);
        Assert.Contains("does not exist", Assert.Throws<CheckpointException>(() => CheckpointFile.Load(P("nope.amtckpt"))).Message);
    }

    [Fact]
    public void CrashDuringSaveLeavesPreviousCheckpointLoadable()
    {
        var path = SaveTrained("c.amtckpt", steps: 1);
        var (model, opt, scales) = Build(1);
        using var _m = model;
        using var _o = opt;
        TrainStep(model, opt, scales, 0);
        using var data = Snapshot(model, opt, 9);

        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Save(path, data, s => new FailingStream(s, failAfter: 300)));
        Assert.IsType<IOException>(e.InnerException);
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
        using (var ck = CheckpointFile.Load(path))
        {
            Assert.Equal(1, ck.Get<int>("step"));
        }

        // A .tmp left behind by a killed process is ignored, and the next save replaces it.
        File.WriteAllBytes(path + AtomicFile.TempSuffix, new byte[] { 1, 2, 3 });
        using (var ck = CheckpointFile.Load(path))
        {
            Assert.Equal(1, ck.Get<int>("step"));
        }
        CheckpointFile.Save(path, data);
        using (var ck = CheckpointFile.Load(path))
        {
            Assert.Equal(9, ck.Get<int>("step"));
        }
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
    }

    [Fact]
    public void FolderLoadsNewestValidCheckpoint()
    {
        var folder = new CheckpointFolder(P("run"));
        Assert.Null(folder.TryLoadLatest());
        using var m = new TinyVit();
        for (int epoch = 1; epoch <= 3; epoch++)
        {
            using var d = new CheckpointData().With("epoch", epoch).AddModule("model", m);
            folder.Save(epoch, d);
        }
        File.WriteAllBytes(folder.PathFor(4) + AtomicFile.TempSuffix, new byte[] { 0 });
        var last = folder.PathFor(3);
        var bytes = File.ReadAllBytes(last);
        File.WriteAllBytes(last, bytes[..^5]);

        var skipped = new List<CheckpointException>();
        using var ck = folder.TryLoadLatest(skipped.Add);
        Assert.NotNull(ck);
        Assert.Equal(2, ck.Get<int>("epoch"));
        Assert.Equal(last, Assert.Single(skipped).FilePath);
        Assert.Equal(new long[] { 3, 2, 1 }, folder.List().Select(x => x.Index));
    }

    [Fact]
    public void OtherOptimizersRoundTripThroughTheirOwnStateFormat()
    {
        using var p = new Parameter(torch.ones(3));
        using var sgd = torch.optim.SGD(new[] { p }, 0.1, momentum: 0.9);
        p.grad = torch.ones(3);
        sgd.step();
        using (var d = new CheckpointData().AddOptimizer("optim", sgd))
        {
            CheckpointFile.Save(P("sgd.amtckpt"), d);
        }
        using var p2 = new Parameter(torch.ones(3));
        using var sgd2 = torch.optim.SGD(new[] { p2 }, 0.1, momentum: 0.9);
        using var ck = CheckpointFile.Load(P("sgd.amtckpt"));
        ck.ApplyOptimizer("optim", sgd2);
        p.grad = torch.ones(3);
        p2.grad = torch.ones(3);
        using (torch.no_grad())
        {
            p2.copy_(p);
        }
        sgd.step();
        sgd2.step();
        Assert.True(p.eq(p2).all().item<bool>());
    }

    [Fact]
    public void LarsStateRoundTrips()
    {
        using var p = new Parameter(torch.ones(2, 2));
        using var lars = new Lars(new[] { p }, new LarsConfig(0.1));
        p.grad = torch.ones(2, 2);
        lars.Step();
        using (var d = new CheckpointData().AddOptimizer("optim", lars))
        {
            CheckpointFile.Save(P("lars.amtckpt"), d);
        }
        using var p2 = new Parameter(torch.ones(2, 2));
        using var lars2 = new Lars(new[] { p2 }, new LarsConfig(0.1));
        using var ck = CheckpointFile.Load(P("lars.amtckpt"));
        ck.ApplyOptimizer("optim", lars2);
        Assert.True(lars2.StateDict()["mu.0"].eq(lars.StateDict()["mu.0"]).all().item<bool>());
    }

    /// <summary>Passes writes through until a byte budget is used, then fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > failAfter)
            {
                throw new IOException("No space left on device (simulated)");
            }
            inner.Write(buffer);
            _written += buffer.Length;
        }
    }
}
