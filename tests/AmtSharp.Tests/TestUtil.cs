using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests;

/// <summary>Helpers shared by the tests.</summary>
internal static class TestUtil
{
    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A flat {name: tensor} dictionary written by tools/fixtures/make_parity_fixtures.py.</summary>
    public static Dictionary<string, Tensor> LoadFixture(string name)
    {
        var table = PyTorchUnpickler.UnpickleStateDict(FixturePath(name));
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry kv in table)
        {
            if (kv.Value is Tensor t)
            {
                result[(string)kv.Key] = t;
            }
        }
        return result;
    }

    /// <summary>Asserts max|a − b| ≤ tol · max|b| (relative, per tensor).</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double tol = 1e-4, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.to(ScalarType.Float64);
        using var a = actual.detach().to(ScalarType.Float64);
        double scale = Math.Max(e.abs().max().item<double>(), 1e-12);
        double err = (e - a).abs().max().item<double>();
        Assert.True(err <= tol * scale, $"{what}: max abs error {err:E3} exceeds {tol:E1} × {scale:E3}");
    }

    /// <summary>A temporary folder removed on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "amtsharp-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
