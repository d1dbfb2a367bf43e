namespace AmtSharp.Data;

/// <summary>One split of a dataset as a command uses it.</summary>
/// <param name="Name">train, test, val, unlabeled, ... (the split's folder or file name).</param>
/// <param name="Images">Images the command uses (after --limit; files that are not images are not counted).</param>
/// <param name="Available">Images in the split before --limit.</param>
/// <param name="Classes">Number of classes (0 when unlabelled).</param>
/// <param name="Labelled">Whether every image has a class label, so the split can measure accuracy.</param>
/// <param name="SkippedFiles">Files left out when listing (not regular files).</param>
public sealed record SplitSummary(string Name, int Images, int Available, int Classes, bool Labelled, int SkippedFiles = 0)
{
    public override string ToString() =>
        $"{Name}: {Images} images{(Available != Images ? $" (of {Available})" : "")}, {Classes} classes, labelled: {(Labelled ? "yes" : "no")}"
        + (SkippedFiles > 0 ? $", {SkippedFiles} files skipped" : "");
}

/// <summary>Which dataset a command opened: its path, format, title and splits. Recorded in environment.json and reports.</summary>
/// <param name="Format">One of the --data-format names.</param>
/// <param name="Root">The folder (null for the synthetic set).</param>
/// <param name="Title">What reports call it: the dataset folder's name, never a split folder's.</param>
/// <param name="Splits">The splits, training first.</param>
public sealed record DatasetSummary(string Format, string? Root, string Title, IReadOnlyList<SplitSummary> Splits)
{
    /// <summary>The facts on one line, as every command prints them when it opens a dataset.</summary>
    public string Line => $"data: {Title} ({Format}{(Root is null ? "" : $", {Root}")}): {string.Join("; ", Splits)}";

    public static DatasetSummary Of(DatasetSpec spec, params IEnumerable<DatasetSplit> splits) =>
        new(spec.FormatName, spec.Root is null ? null : Path.GetFullPath(spec.Root), spec.Title, [.. splits.Select(s => s.Summary)]);
}
