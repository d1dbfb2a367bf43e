using System.Text.Json;
using AmtSharp.Amt;
using AmtSharp.Masking;
using Xunit;
using static TorchSharp.torch;

namespace AmtSharp.Tests.Masking;

public sealed class DiagnosticsTests
{
    [Fact]
    public void SharesAndMeansFromCodes()
    {
        // 8 cells, top quartile = the 2 highest: cell 7 (masked) and cell 6 (thrown).
        using var w = tensor(new float[] { 0, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f }, [1, 8]);
        using var codes = tensor(new long[] { 0, 0, -1, 1, 0, 1, -1, 1 }, [1, 8]);
        var d = MaskingDiagnostics.Measure(w, codes);
        Assert.Equal(0.5, d.TopQuartileMasked, 12);
        Assert.Equal(0.5, d.TopQuartileThrown, 12);
        Assert.Equal(0.0, d.TopQuartileVisible, 12);
        Assert.Equal((0.3 + 0.5 + 0.7) / 3, d.MeanWeightMasked!.Value, 6);
        Assert.Equal((0.2 + 0.6) / 2, d.MeanWeightThrown!.Value, 6);
        Assert.Equal((0 + 0.1 + 0.4) / 3, d.MeanWeightVisible!.Value, 6);
        Assert.Contains("\"TopQuartileMasked\":0.5", JsonSerializer.Serialize(d));
    }

    [Fact]
    public void PlanOnUnitsIsReadPerUnit()
    {
        var grid = new MaskGrid(4, 2);                           // 2×2 units of 2×2 patches
        using var codes = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, 0, 0, -1, -1, 0, 0 }, [1, 16]);
        using var plan = MaskPlan.FromCodes(codes);              // units 0, 1 masked, 2 thrown, 3 visible
        using var w = tensor(new float[] { 0.9f, 0.8f, 0.5f, 0.1f }, [1, 4]);
        var d = MaskingDiagnostics.Measure(w, plan, grid);
        Assert.Equal(1.0, d.TopQuartileMasked, 12);
        Assert.Equal(0.85, d.MeanWeightMasked!.Value, 6);
        Assert.Equal(0.5, d.MeanWeightThrown!.Value, 6);
        Assert.Equal(0.1, d.MeanWeightVisible!.Value, 6);
        using var noThrow = tensor(new long[] { 1, 0, 0, 0 }, [1, 4]);
        Assert.Null(MaskingDiagnostics.Measure(w, noThrow).MeanWeightThrown);
    }
}
