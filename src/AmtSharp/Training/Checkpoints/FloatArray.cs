namespace AmtSharp.Training.Checkpoints;

/// <summary>
/// A managed float array with a shape, e.g. the AMT attention-prior store (one G×G map per image), which
/// lives in managed memory for the whole run rather than in tensors, outside every dispose scope.
/// </summary>
public sealed record FloatArray
{
    public float[] Data { get; }
    public long[] Shape { get; }

    public FloatArray(float[] data, params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        if (shape.Any(s => s < 0) || n != data.LongLength)
        {
            throw new ArgumentException($"Shape [{string.Join(",", shape)}] does not hold {data.LongLength} values.", nameof(shape));
        }
        Data = data;
        Shape = shape;
    }
}
