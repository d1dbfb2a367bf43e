using AmtSharp.Data;
using AmtSharp.Data.Sources;

namespace AmtSharp.Tests.Training;

/// <summary>
/// Chosen classes of the embedded synthetic shapes dataset (clutter and all), relabelled 0 … n − 1 in the order given.
/// The synthetic labels cycle with the index, so image i of the subset is image (i / n) · 12 + (the first index of
/// shape i mod n) of the full twelve-class split.
/// </summary>
internal sealed class ShapeSubset : IImageSource
{
    private const int AllClasses = 12;
    private readonly SyntheticShapesSource all;
    private readonly int[] firstIndex;

    public ShapeSubset(bool train, long seed, int count, int size, params string[] names)
    {
        Count = count;
        ClassNames = names;
        int needed = (count / names.Length + 1) * AllClasses;
        all = train
            ? SyntheticShapesSource.Train(seed, needed, size, AllClasses)
            : SyntheticShapesSource.Test(seed, needed, size, AllClasses);
        var shapes = names.Select(n => all.ClassNames.ToList().IndexOf(n)).ToArray();
        if (shapes.Any(s => s < 0))
        {
            throw new ArgumentException($"unknown shape in [{string.Join(", ", names)}]");
        }
        // The test split's labels start at an offset, so look each shape's first image up.
        firstIndex = shapes.Select(s => Enumerable.Range(0, AllClasses).First(j => all.LabelOf(j) == s)).ToArray();
    }

    public int Count { get; }

    public string Name => $"{all.Name}[{string.Join("+", ClassNames)}]";

    public IReadOnlyList<string> ClassNames { get; }

    public int LabelOf(int index) => index % firstIndex.Length;

    public RgbImage Load(int index) => all.Load(Map(index));

    public string Describe(int index) => all.Describe(Map(index));

    /// <summary>The class of the underlying image, by name (for checking the mapping).</summary>
    public string ShapeOf(int index) => all.ClassNames[all.LabelOf(Map(index))];

    private int Map(int index) => index / firstIndex.Length * AllClasses + firstIndex[index % firstIndex.Length];
}
