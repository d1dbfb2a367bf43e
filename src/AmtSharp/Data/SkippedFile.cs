namespace AmtSharp.Data;

/// <summary>An input left out, and why: a file that is not an image file (a FIFO, a broken link, ...) or one that cannot be decoded.</summary>
/// <param name="Path">The file, or a record such as "data_batch_1.bin#17".</param>
/// <param name="Reason">What is wrong with it.</param>
public sealed record SkippedFile(string Path, string Reason);
