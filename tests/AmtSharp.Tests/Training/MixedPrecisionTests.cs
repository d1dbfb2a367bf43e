using AmtSharp.Amt;
using AmtSharp.Core;
using AmtSharp.Data.Sources;
using AmtSharp.Masking;
using AmtSharp.Models;
using AmtSharp.Training.Pretraining;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

/// <summary>bf16 mixed precision: the same model agrees with fp32, trains like it, keeps fp32 weights and resumes exactly.</summary>
public sealed class MixedPrecisionTests
{
    private static SyntheticShapesSource Data(int count = 64) => SyntheticShapesSource.Train(seed: 1, count: count, size: 32);

    [Theory]
    [InlineData(MimMethod.Mae)]
    [InlineData(MimMethod.SimMim)]
    public void Bf16ForwardLossAgreesWithFp32(MimMethod method)
    {
        var config = TinyPretrain.Config(method);
        var (module, model) = MimFactory.CreateModel(config);
        using var owned = module;
        module.eval();
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var images = randn([8, 3, 32, 32], generator: generator);
        using var plan = MimFactory.RandomStrategy(config, 0.75).Plan(new MaskRequest(8, generator, null));
        using var noGrad = no_grad();
        double fp32 = model.Forward(images, plan).Loss.item<float>();
        double bf16;
        using (Autocast.Enter(ComputePrecision.Bf16))
        {
            var output = model.Forward(images, plan);
            Assert.Equal(ScalarType.Float32, output.Loss.dtype);        // the loss stays float32
            bf16 = output.Loss.item<float>();
        }
        double fp32Again = model.Forward(images, plan).Loss.item<float>();

        Assert.Equal(fp32, fp32Again);                                   // the scope ended: bit-exact float32 again
        Assert.NotEqual(fp32, bf16);                                     // bf16 really computed (8-bit mantissa)
        Assert.True(Math.Abs(bf16 - fp32) <= 0.02 * Math.Abs(fp32), $"bf16 loss {bf16} vs fp32 {fp32}");
    }

    [Fact]
    public void Bf16FusedAttentionRunsInFloat32OnTheBf16Projections()
    {
        // libtorch's bfloat16 CPU attention kernel is slower than its float32 one (docs/benchmarks.md), so under bf16
        // the fused attention takes the bf16 q, k, v up to float32 and computes there.
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var q = randn([2, 3, 17, 8], generator: generator).to(ScalarType.BFloat16);
        var k = randn([2, 3, 17, 8], generator: generator).to(ScalarType.BFloat16);
        var v = randn([2, 3, 17, 8], generator: generator).to(ScalarType.BFloat16);
        var expected = nn.functional.scaled_dot_product_attention(q.to(ScalarType.Float32), k.to(ScalarType.Float32), v.to(ScalarType.Float32));

        using var bf16 = Autocast.Enter(ComputePrecision.Bf16);
        var o = Autocast.ScaledDotProductAttention(q, k, v);

        Assert.Equal(ScalarType.Float32, o.dtype);
        Assert.True(o.allclose(expected, rtol: 0, atol: 0), "bf16 attention differs from float32 attention of the same bf16 inputs");
    }

    [Fact]
    public void Bf16TrainingReducesTheLossLikeFp32AndKeepsFloat32Weights()
    {
        var config = TinyPretrain.Config() with { Epochs = 4, Amt = null, MaskRatio = 0.75 };
        using var fp32 = new Pretrainer(config, Data());
        var a = fp32.Train();
        using var bf16 = new Pretrainer(config with { Precision = ComputePrecision.Bf16 }, Data());
        var b = bf16.Train();

        Assert.True(a.Epochs[^1].Loss < a.Epochs[0].Loss, $"fp32 loss {a.Epochs[0].Loss} → {a.Epochs[^1].Loss}");
        Assert.True(b.Epochs[^1].Loss < b.Epochs[0].Loss, $"bf16 loss {b.Epochs[0].Loss} → {b.Epochs[^1].Loss}");
        Assert.True(Math.Abs(b.FinalLoss - a.FinalLoss) <= 0.05 * a.FinalLoss, $"final loss bf16 {b.FinalLoss} vs fp32 {a.FinalLoss}");
        Assert.All(bf16.Module.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.Equal(ComputePrecision.Fp32, Autocast.Current);          // the run's scope is closed
    }

    [Fact]
    public void InterruptedAndResumedBf16RunEndsWithTheSameWeights()
    {
        var config = TinyPretrain.Config() with
        {
            Epochs = 2,
            Precision = ComputePrecision.Bf16,
            Amt = AmtConfig.ForMae() with { StartEpoch = 1, RefreshInterval = 1 },
        };
        using var straightDir = new TestUtil.TempDir();
        using var resumedDir = new TestUtil.TempDir();
        using var straight = new Pretrainer(config, Data(), straightDir.Path);
        var expected = straight.Train();
        using (var first = new Pretrainer(config, Data(), resumedDir.Path))
        {
            Assert.False(first.Train(stopAfterSteps: 6).Finished);       // 4 batches per epoch: stops mid-epoch 1
        }
        using var second = new Pretrainer(config, Data(), resumedDir.Path);
        var resumed = second.Train(resume: true);

        Assert.Equal(expected.Epochs.Select(e => e.Loss), resumed.Epochs.Select(e => e.Loss));
        var b = second.Module.state_dict();
        foreach (var (name, tensor) in straight.Module.state_dict())
        {
            Assert.True(tensor.equal(b[name]).all().item<bool>(), $"{name} differs after the bf16 resume");
        }
        Assert.Equal(straight.Prior.ToArray(), second.Prior.ToArray());
    }

    [Fact]
    public void ResumeNotesAChangedPrecision()
    {
        var config = TinyPretrain.Config() with { Epochs = 2, Amt = null };
        using var dir = new TestUtil.TempDir();
        using (var first = new Pretrainer(config, Data(32), dir.Path))
        {
            first.Train(stopAfterSteps: 1);
        }
        var notes = new List<string>();
        using var second = new Pretrainer(config with { Precision = ComputePrecision.Bf16 }, Data(32), dir.Path);
        second.ResumeFrom(new ResumeOptions(Note: notes.Add));
        Assert.Contains(notes, n => n.Contains("precision changed from \"fp32\" to \"bf16\"", StringComparison.Ordinal));
    }

    [Fact]
    public void AutoPicksBf16OnlyWithNativeSupportThatMeasuresFaster()
    {
        static double Never() => throw new InvalidOperationException("no measurement without the flag");
        Assert.Equal(ComputePrecision.Fp32, PrecisionSupport.Choose(new HashSet<string> { "avx2", "avx512f" }, Never).Precision);
        Assert.Equal(ComputePrecision.Fp32, PrecisionSupport.Choose(null, Never).Precision);
        Assert.Contains("no avx512_bf16/amx_bf16", PrecisionSupport.Choose(new HashSet<string>(), Never).Reason);
        Assert.Equal(ComputePrecision.Bf16, PrecisionSupport.Choose(new HashSet<string> { "avx512_bf16" }, () => 2.2).Precision);
        Assert.Equal(ComputePrecision.Bf16, PrecisionSupport.Choose(new HashSet<string> { "amx_bf16" }, () => 1.5).Precision);
        var slow = PrecisionSupport.Choose(new HashSet<string> { "avx512_bf16" }, () => 1.05);
        Assert.Equal(ComputePrecision.Fp32, slow.Precision);
        Assert.Contains("1.05×", slow.Reason);
    }
}
