using AmtSharp.Cli.Commands;
using AmtSharp.Training.Checkpoints;
using Xunit;
using static AmtSharp.Tests.Cli.CliHarness;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Training;

/// <summary>`amt checkpoint compare`, which the kill-and-resume torture script relies on to prove exact resume.</summary>
// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class CheckpointComparisonTests : IDisposable
{
    private readonly TestUtil.TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Write(string name, float weight, double seconds, float prior = 0.5f, long step = 7)
    {
        string path = Path.Combine(dir.Path, name);
        using var w = tensor(new[] { 1f, weight, float.NaN });
        using var data = new CheckpointData()
            .With("step", step)
            .With("train_seconds", seconds)
            .AddTensor("model/w", w)
            .AddArray("prior", new FloatArray([prior, 1f], 2));
        CheckpointFile.Save(path, data);
        return path;
    }

    [Fact]
    public void Same_state_with_different_wall_clock_is_identical()
    {
        string a = Write("a.amtckpt", 2f, seconds: 10.5);
        string b = Write("b.amtckpt", 2f, seconds: 99.0);

        Assert.Empty(CheckpointComparison.Compare(a, b));   // NaN equals NaN bitwise
        var (code, output, _) = Run("checkpoint", "compare", a, b);
        Assert.Equal(0, code);
        Assert.Contains("identical", output);
    }

    [Fact]
    public void Each_kind_of_difference_is_named()
    {
        string a = Write("a.amtckpt", 2f, seconds: 1);
        string b = Write("b.amtckpt", 2.0000002f, seconds: 1, prior: 0.25f, step: 8);

        var differences = CheckpointComparison.Compare(a, b);

        Assert.Contains(differences, d => d.StartsWith("tensor 'model/w' differs", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("array 'prior' differs", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("metadata 'step' differs", StringComparison.Ordinal));
        var (code, output, _) = Run("checkpoint", "compare", a, b);
        Assert.Equal(CheckpointCommand.Different, code);
        Assert.Contains("3 difference(s)", output);
    }

    [Fact]
    public void Negative_zero_differs_from_zero()
    {
        string a = Write("a.amtckpt", 0f, seconds: 1);
        string b = Write("b.amtckpt", -0f, seconds: 1);
        Assert.Single(CheckpointComparison.Compare(a, b));
    }

    [Fact]
    public void A_missing_checkpoint_is_a_user_error()
    {
        string a = Write("a.amtckpt", 2f, seconds: 1);
        string line = UserError("checkpoint", "compare", a, Path.Combine(dir.Path, "missing.amtckpt"));
        Assert.Contains("missing.amtckpt", line);
    }
}
