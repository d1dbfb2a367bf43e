namespace AmtSharp.Tests.Reporting;

internal static class ReportingTestData
{
    /// <summary>A 3·S·S image where pixel (x, y) has a distinct colour from a smooth ramp.</summary>
    public static float[] Ramp(int size)
    {
        var img = new float[3 * size * size];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                img[y * size + x] = 0.1f + 0.8f * x / size;
                img[size * size + y * size + x] = 0.1f + 0.8f * y / size;
                img[2 * size * size + y * size + x] = 0.3f;
            }
        }
        return img;
    }

    public static float[] Solid(int size, float r, float g, float b) =>
        [.. Enumerable.Repeat(r, size * size), .. Enumerable.Repeat(g, size * size), .. Enumerable.Repeat(b, size * size)];

    public static string TempFolder() => Path.Combine(Path.GetTempPath(), "amtsharp-report-" + Guid.NewGuid().ToString("N"));
}
