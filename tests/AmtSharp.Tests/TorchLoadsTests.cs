using TorchSharp;
using Xunit;

namespace AmtSharp.Tests;

public sealed class TorchLoadsTests
{
    [Fact]
    public void TorchSharpInitialisesAndRunsAnOp()
    {
        using var x = torch.ones(2, 3);
        using var s = x.sum();
        Assert.Equal(6f, s.item<float>());
    }
}
