using AmtSharp.Data;
using AmtSharp.Data.Transforms;

namespace AmtSharp.Reporting.Snapshots;

/// <summary>
/// A few fixed images shown in every snapshot of a run, prepared once as the prior pass sees them: the whole image
/// resized to S×S, no crop, no flip, ImageNet-normalised. Same images every time, so pictures from different epochs
/// compare like with like.
/// </summary>
public sealed class SnapshotImages
{
    private SnapshotImages(int size, int[] indices, float[][] normalized, string[] captions, bool[]?[] foreground)
    {
        Size = size;
        Indices = indices;
        Normalized = normalized;
        Captions = captions;
        Foreground = foreground;
    }

    /// <summary>Side S in pixels.</summary>
    public int Size { get; }

    /// <summary>Dataset index of each image in its source (the prior store's index for training images).</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>ImageNet-normalised CHW floats, 3·S·S per image (what the model gets).</summary>
    public IReadOnlyList<float[]> Normalized { get; }

    /// <summary>Class name, or the dataset index for unlabelled sources.</summary>
    public IReadOnlyList<string> Captions { get; }

    /// <summary>Ground-truth foreground per pixel (S·S), when the source knows it (synthetic shapes).</summary>
    public IReadOnlyList<bool[]?> Foreground { get; }

    public int Count => Indices.Count;

    /// <summary>
    /// Picks <paramref name="count"/> images spread over the source, preferring one per class so a grid shows
    /// different classes (sources sorted by class and sources cycling through classes both work).
    /// </summary>
    public static SnapshotImages Pick(IImageSource source, int count, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        // Unreadable images (a run may skip them) are passed over: pictures must not stop training.
        var readable = new List<int>();
        foreach (int index in Candidates(source, count))
        {
            if (readable.Count == count)
            {
                break;
            }
            try
            {
                source.Load(index, size);                  // reduced-scale decode: a huge image stays cheap
                readable.Add(index);
            }
            catch (DataException)
            {
            }
        }
        if (readable.Count == 0)
        {
            throw new DataException(source.Name, "no readable image to show");
        }
        return Load(source, readable, size);
    }

    /// <summary>The images at <paramref name="indices"/> of <paramref name="source"/>.</summary>
    public static SnapshotImages Load(IImageSource source, IReadOnlyList<int> indices, int size)
    {
        var normalized = new float[indices.Count][];
        var captions = new string[indices.Count];
        var foreground = new bool[]?[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int index = indices[i];
            normalized[i] = new float[3 * size * size];
            CropRenderer.RenderNormalized(source.Load(index, size), CropGeometry.Identity, size, Normalization.ImageNet, normalized[i]);
            int label = source.LabelOf(index);
            captions[i] = label >= 0 && label < source.ClassNames.Count ? Caption(source.ClassNames[label]) : $"#{index}";
            foreground[i] = source is IForegroundMasks masks ? Resample(masks.ForegroundMask(index, out int w, out int h), w, h, size) : null;
        }
        return new SnapshotImages(size, [.. indices], normalized, captions, foreground);
    }

    /// <summary>
    /// A class name short enough for a picture: the first of WordNet-style synonyms ("goldfish, Carassius auratus",
    /// Tiny ImageNet's names from words.txt) is the common name.
    /// </summary>
    internal static string Caption(string className) => className.Split(',')[0].Trim() is { Length: > 0 } first ? first : className;

    /// <summary>All images as one [N, 3, S, S] float array (row-major), for a tensor.</summary>
    public float[] Batch()
    {
        int n = 3 * Size * Size;
        var all = new float[Count * n];
        for (int i = 0; i < Count; i++)
        {
            Array.Copy(Normalized[i], 0, all, i * n, n);
        }
        return all;
    }

    // Evenly spaced candidates: first one per class (in the order met), then the others, in preference order.
    private static IEnumerable<int> Candidates(IImageSource source, int count)
    {
        int candidates = Math.Min(source.Count, count * 16);
        var order = Enumerable.Range(0, candidates).Select(j => (int)((long)j * source.Count / candidates)).Distinct().ToArray();
        var classes = new HashSet<int>();
        var firstOfClass = order.Where(i =>
        {
            int label = source.LabelOf(i);
            return label < 0 || classes.Add(label);
        }).ToList();
        return firstOfClass.Concat(order.Except(firstOfClass));
    }

    // The mask is aligned with the whole source image, which the resize squashes to S×S: nearest neighbour.
    private static bool[] Resample(float[] coverage, int width, int height, int size)
    {
        var result = new bool[size * size];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                int sy = Math.Min(height - 1, (int)((y + 0.5) * height / size));
                int sx = Math.Min(width - 1, (int)((x + 0.5) * width / size));
                result[y * size + x] = coverage[sy * width + sx] >= 0.5f;
            }
        }
        return result;
    }
}
