namespace AmtSharp.Data;

/// <summary>An indexed, random-access collection of images. Implementations must be safe to call from several threads.</summary>
public interface IImageSource
{
    int Count { get; }

    /// <summary>Short name for logs and run summaries.</summary>
    string Name { get; }

    /// <summary>Class names by label id; empty if the source is unlabelled.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Label id of an image, or -1 if the source is unlabelled.</summary>
    int LabelOf(int index);

    /// <summary>Decodes one image. Throws <see cref="DataException"/> naming the file if it cannot be read.</summary>
    RgbImage Load(int index);

    /// <summary>
    /// Decodes one image, allowed to come back smaller when the stored image is far larger than needed
    /// (its short side stays at least <paramref name="minShortSide"/>). Crops are kept as fractions, so this is safe.
    /// </summary>
    RgbImage Load(int index, int minShortSide) => Load(index);

    /// <summary>Where the image comes from: a file path or a record such as "test_batch.bin#42".</summary>
    string Describe(int index);

    /// <summary>Files left out when the source was listed (not regular files), each with the reason; not counted in <see cref="Count"/>.</summary>
    IReadOnlyList<SkippedFile> SkippedFiles => [];
}

/// <summary>A source that knows, per image, which pixels belong to the object (1) and which to the background (0).</summary>
public interface IForegroundMasks
{
    /// <summary>Row-major coverage in [0, 1], <paramref name="width"/> x <paramref name="height"/>, aligned with <see cref="IImageSource.Load(int)"/>.</summary>
    float[] ForegroundMask(int index, out int width, out int height);
}
