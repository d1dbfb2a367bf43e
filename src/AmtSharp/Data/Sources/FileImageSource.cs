namespace AmtSharp.Data.Sources;

/// <summary>Shared base for sources that are a list of image files with optional labels.</summary>
public abstract class FileImageSource : IImageSource
{
    private readonly string[] _paths;
    private readonly int[]? _labels;

    protected FileImageSource(string name, IReadOnlyList<string> classNames, string[] paths, int[]? labels, IReadOnlyList<SkippedFile>? skipped = null)
    {
        if (labels != null && labels.Length != paths.Length)
        {
            throw new ArgumentException("one label per path expected", nameof(labels));
        }
        Name = name;
        ClassNames = classNames;
        _paths = paths;
        _labels = labels;
        SkippedFiles = skipped ?? [];
    }

    public IReadOnlyList<SkippedFile> SkippedFiles { get; }

    public int Count => _paths.Length;
    public string Name { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int LabelOf(int index) => _labels == null ? -1 : _labels[index];
    public RgbImage Load(int index) => ImageDecoder.DecodeFile(_paths[index]);
    public RgbImage Load(int index, int minShortSide) => ImageDecoder.DecodeFile(_paths[index], minShortSide);
    public string Describe(int index) => _paths[index];
}
