using System.Buffers.Binary;
using System.Collections;
using System.Text.Json;
using AmtSharp.Models;
using AmtSharp.Models.Interop;
using AmtSharp.Models.Mae;
using AmtSharp.Models.Vit;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static AmtSharp.Tests.Interop.InteropTestData;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Interop;

/// <summary>Reading and writing .safetensors and .pth files: round trips, layouts, and damaged files.</summary>
public sealed class WeightFileTests : IDisposable
{
    private readonly TestUtil.TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string P(string name) => Path.Combine(_dir.Path, name);

    private static VisionTransformer RandomEncoder(VitConfig config, long seed = 5)
    {
        var encoder = new VisionTransformer(config);
        using var generator = WeightInit.Generator(seed);
        encoder.InitWeights(generator);
        using var noGrad = no_grad();
        foreach (var (_, p) in encoder.named_parameters())
        {
            p.add_(torch.randn(p.shape, generator: generator) * 0.1);   // every tensor distinct, pos_embed included
        }
        return encoder;
    }

    [Theory]
    [InlineData("encoder.safetensors")]
    [InlineData("encoder.pth")]
    public void ExportedEncoderLoadsBackBitExactWithoutOptions(string name)
    {
        var config = new VitConfig(ImageSize: 24, PatchSize: 4, InChannels: 3, Width: 32, Depth: 2, Heads: 2, MlpRatio: 2);
        using var original = RandomEncoder(config);
        int written = PyTorchInterop.ExportEncoder(original, P(name));
        Assert.Equal(original.state_dict().Count, written);

        // Heads = 2 is not the standard count for width 32: it must come from the file's metadata.
        var (loaded, report) = PyTorchInterop.LoadEncoder(P(name));
        using (loaded)
        {
            Assert.Equal(config, loaded.Config);
            AssertSameState(original, loaded);
            Assert.Empty(report.Ignored);
            using var x = torch.randn(2, 3, 24, 24);
            AssertBitEqual(original.forward(x), loaded.forward(x), "output");
        }
    }

    [Theory]
    [InlineData("mae.safetensors")]
    [InlineData("mae.pth")]
    public void ExportedMaeWithDecoderLoadsBackBitExact(string name)
    {
        var config = new MaeConfig(Tiny, DecoderWidth: 16, DecoderDepth: 1, DecoderHeads: 2, NormPixLoss: false);
        using var original = new MaskedAutoencoder(config);
        using (var generator = WeightInit.Generator(9))
        {
            original.InitWeights(generator);
        }
        PyTorchInterop.ExportMae(original, P(name));
        using (var raw = WeightsFile.Read(P(name)))
        {
            Assert.Contains("blocks.0.attn.qkv.weight", raw.Tensors.Keys);      // official flat names
            Assert.Contains("decoder_blocks.0.attn.qkv.weight", raw.Tensors.Keys);
            Assert.DoesNotContain(raw.Tensors.Keys, k => k.StartsWith("encoder."));
        }
        var (loaded, _) = PyTorchInterop.LoadMae(P(name));
        using (loaded)
        {
            Assert.Equal(config, loaded.Config);
            AssertSameState(original, loaded);
        }
    }

    [Fact]
    public void SafetensorsFollowsTheFormatAndKeepsEveryDtype()
    {
        using var f32 = torch.randn(3, 4);
        using var f16 = torch.randn(5).to(ScalarType.Float16);
        using var bf16 = torch.randn(2, 2).to(ScalarType.BFloat16);
        using var i64 = torch.arange(7L);
        using var flags = torch.tensor(new[] { true, false, true });
        using var empty = torch.zeros(0, 3);
        var tensors = new Dictionary<string, Tensor> { ["a.weight"] = f32, ["half"] = f16, ["brain"] = bf16, ["steps"] = i64, ["flags"] = flags, ["empty"] = empty };
        SafetensorsFile.Write(P("t.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });

        // The layout, read by hand: u64 header length (data 8-byte aligned), JSON with offsets tiling the data.
        byte[] bytes = File.ReadAllBytes(P("t.safetensors"));
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        Assert.Equal("pt", header.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        var weight = header.RootElement.GetProperty("a.weight");
        Assert.Equal("F32", weight.GetProperty("dtype").GetString());
        Assert.Equal([3L, 4L], weight.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([0L, 48L], weight.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(f32.data<float>().ToArray(), Enumerable.Range(0, 12).Select(i => BitConverter.ToSingle(bytes, 8 + (int)n + 4 * i)));

        using var back = SafetensorsFile.Read(P("t.safetensors"));
        Assert.Equal(tensors.Keys, back.Tensors.Keys);                       // header order kept
        foreach (var (key, t) in tensors)
        {
            AssertBitEqual(t, back.Tensors[key], key);
        }
        Assert.Equal("pt", back.Metadata["format"]);
    }

    [Fact]
    public void TruncatedOrDamagedSafetensorsAreRefusedNamingTheFile()
    {
        using var t = torch.randn(16, 16);
        SafetensorsFile.Write(P("ok.safetensors"), new Dictionary<string, Tensor> { ["w"] = t, ["v"] = t[0] });
        byte[] good = File.ReadAllBytes(P("ok.safetensors"));

        File.WriteAllBytes(P("cut.safetensors"), good[..^10]);
        AssertRefused("cut.safetensors", "is truncated: tensor 'v' ends at data byte 1088 but the file holds 1078");

        File.WriteAllBytes(P("short.safetensors"), good[..20]);
        AssertRefused("short.safetensors", "is truncated: the safetensors header needs");

        File.WriteAllBytes(P("tail.safetensors"), [.. good, 1, 2, 3, 4]);
        AssertRefused("tail.safetensors", "is corrupted: 4 bytes after the last tensor");

        var badJson = (byte[])good.Clone();
        badJson[8 + 1] = (byte)'!';                              // {"w": … becomes {!w": …
        File.WriteAllBytes(P("json.safetensors"), badJson);
        AssertRefused("json.safetensors", "malformed safetensors header");
    }

    [Fact]
    public void TruncatedOrCorruptPthIsRefusedNamingTheFile()
    {
        byte[] good = File.ReadAllBytes(TestUtil.FixturePath(EncoderOnlyMae));

        File.WriteAllBytes(P("cut.pth"), good[..(good.Length / 2)]);
        AssertRefused("cut.pth", "is truncated or corrupted");

        // Flip bytes inside a tensor's data: only the CRC check notices.
        var flipped = (byte[])good.Clone();
        for (int i = good.Length / 2; i < good.Length / 2 + 64; i++)
        {
            flipped[i] ^= 0x5A;
        }
        File.WriteAllBytes(P("flipped.pth"), flipped);
        AssertRefused("flipped.pth", "fails its CRC-32 check");

        File.WriteAllBytes(P("legacy.pth"), [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20]);
        AssertRefused("legacy.pth", "legacy (pre-1.6) format");

        File.WriteAllBytes(P("text.pth"), "hello, not a checkpoint"u8.ToArray());
        AssertRefused("text.pth", "is neither an AmtSharp checkpoint nor a PyTorch (.pth) or safetensors weight file");

        File.WriteAllBytes(P("empty.pth"), []);
        AssertRefused("empty.pth", "is empty");

        AssertRefused("absent.pth", "file does not exist");
    }

    [Fact]
    public void APthWhoseTensorsShareStorageIsRefusedWithAdvice()
    {
        File.Copy(TestUtil.FixturePath("shared_storage.pth"), P("shared.pth"));
        AssertRefused("shared.pth", "views into a shared storage", "v.clone().contiguous()");
    }

    [Fact]
    public void APthWithoutAStateDictIsRefusedListingItsEntries()
    {
        using (var f = File.Create(P("noweights.pth")))
        {
            PyTorchPickler.PickleStateDict(f, new Hashtable { ["epoch"] = 3, ["lr"] = 0.1 });
        }
        AssertRefused("noweights.pth", "holds no state dict", "top-level entries: epoch, lr");
    }

    [Fact]
    public void DdpPrefixesAreRemovedAndBareStateDictsRead()
    {
        using var original = RandomEncoder(Tiny);
        using (var f = File.Create(P("ddp.pth")))
        {
            var bare = new Hashtable();
            foreach (var (k, v) in original.state_dict())
            {
                bare["module." + k] = v;
            }
            PyTorchPickler.PickleStateDict(f, bare);
        }
        var (loaded, report) = PyTorchInterop.LoadEncoder(P("ddp.pth"), new InteropOptions(Heads: 4));
        using (loaded)
        {
            AssertSameState(original, loaded);
            Assert.Contains(report.Notes, n => n.Contains("'module.' prefix"));
        }
    }

    [Fact]
    public void AGlobalPoolFineTunedCheckpointIsExplainedAndLoadsNonStrictly()
    {
        // timm / MAE fine-tuning with global pooling: fc_norm.* replaces norm.*, plus a classifier head.
        using var source = SafetensorsFile.Read(TestUtil.FixturePath(TimmGrid6));
        var tensors = source.Tensors.Where(kv => !kv.Key.StartsWith("norm.")).ToDictionary();
        tensors["fc_norm.weight"] = source.Tensors["norm.weight"];
        tensors["fc_norm.bias"] = source.Tensors["norm.bias"];
        SafetensorsFile.Write(P("globalpool.safetensors"), tensors);

        var e = Assert.Throws<CheckpointException>(() => PyTorchInterop.LoadEncoder(P("globalpool.safetensors"), new InteropOptions(Heads: 4)));
        Assert.Contains("missing from the file: norm.weight, norm.bias", e.Message);
        Assert.Contains("fine-tuned with global pooling", e.Message);

        var (encoder, report) = PyTorchInterop.LoadEncoder(P("globalpool.safetensors"), new InteropOptions(Heads: 4, Strict: false));
        using (encoder)
        {
            Assert.Equal(["norm.weight", "norm.bias"], report.Missing);
            Assert.Equal(["fc_norm.bias", "fc_norm.weight", "head.bias", "head.weight"], report.Ignored.Single().Value.Order());
            var normWeight = encoder.state_dict()["norm.weight"];
            Assert.True(normWeight.eq(1).all().item<bool>(), "a missing norm keeps its initial (identity) values");
        }
    }

    [Fact]
    public void HalfPrecisionWeightsAreConvertedToOurFloat32()
    {
        using var source = SafetensorsFile.Read(TestUtil.FixturePath(TimmGrid6));
        var half = source.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float16));
        SafetensorsFile.Write(P("half.safetensors"), half);
        var (encoder, report) = PyTorchInterop.LoadEncoder(P("half.safetensors"), new InteropOptions(Heads: 4));
        using (encoder)
        {
            Assert.Contains($"converted {encoder.state_dict().Count} tensors from Float16 to Float32", report.Notes);
            using var expected = half["blocks.1.mlp.fc1.weight"].to(ScalarType.Float32);
            AssertBitEqual(expected, encoder.state_dict()["blocks.1.mlp.fc1.weight"], "fc1 weight");
        }
        foreach (var t in half.Values)
        {
            t.Dispose();
        }
    }

    [Fact]
    public void LayersOurVitDoesNotHaveAreRefusedByName()
    {
        using var source = SafetensorsFile.Read(TestUtil.FixturePath(TimmGrid6));
        using var gamma = torch.ones(32);
        var tensors = source.Tensors.ToDictionary();
        tensors["blocks.0.ls1.gamma"] = gamma;                     // timm layer scale
        SafetensorsFile.Write(P("layerscale.safetensors"), tensors);
        var e = Assert.Throws<CheckpointException>(() => PyTorchInterop.LoadEncoder(P("layerscale.safetensors"), new InteropOptions(Heads: 4)));
        Assert.Contains("layers this model does not have: blocks.0.ls1.gamma", e.Message);
    }

    private void AssertRefused(string name, params string[] fragments)
    {
        var e = Assert.Throws<CheckpointException>(() => PyTorchInterop.LoadEncoder(P(name), new InteropOptions(Heads: 4)));
        Assert.Equal(P(name), e.FilePath);
        Assert.Contains(P(name), e.Message);
        foreach (string fragment in fragments)
        {
            Assert.True(e.Message.Contains(fragment), $"'{fragment}' not in: {e.Message}");
        }
    }
}
