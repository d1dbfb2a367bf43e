namespace AmtSharp.Data.Transforms;

/// <summary>Per-channel (x/255 - mean) / std, RGB order.</summary>
public sealed record Normalization(float MeanR, float MeanG, float MeanB, float StdR, float StdG, float StdB)
{
    /// <summary>The ImageNet statistics every MAE/SimMIM recipe uses.</summary>
    public static Normalization ImageNet { get; } = new(0.485f, 0.456f, 0.406f, 0.229f, 0.224f, 0.225f);

    /// <summary>Plain x/255 in [0, 1].</summary>
    public static Normalization None { get; } = new(0, 0, 0, 1, 1, 1);
}
