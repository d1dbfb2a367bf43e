using System.Globalization;

namespace AmtSharp.Reporting.Runs;

/// <summary>One training iteration (micro-batch) as logged: iteration = epoch · batches per epoch + batch + 1.</summary>
public sealed record StepRow(long Iteration, double Loss, double Lr, double ImagesPerSecond);

/// <summary>
/// steps.csv in the run folder: every iteration's loss, lr and throughput, for the per-step loss curve. A resumed
/// run keeps the rows before its resume point and drops any the interrupted run wrote after it.
/// </summary>
public sealed class StepLog : IDisposable
{
    public const string Header = "iteration,loss,lr,images_per_second";

    private readonly string path;
    private readonly List<StepRow> rows = [];
    private StreamWriter? writer;

    public StepLog(string path)
    {
        this.path = path;
    }

    public IReadOnlyList<StepRow> Rows => rows;

    /// <summary>Starts logging at <paramref name="iteration"/>: earlier rows of an existing file are kept, later ones dropped.</summary>
    public void StartAt(long iteration)
    {
        writer?.Dispose();
        rows.Clear();
        if (File.Exists(path))
        {
            rows.AddRange(Read(path).Where(r => r.Iteration <= iteration));
        }
        writer = new StreamWriter(path, append: false);
        writer.WriteLine(Header);
        foreach (var row in rows)
        {
            Write(row);
        }
        writer.Flush();
    }

    public void Add(StepRow row)
    {
        if (writer is null)
        {
            StartAt(row.Iteration - 1);
        }
        rows.Add(row);
        Write(row);
    }

    /// <summary>Pushes the rows to the file (called at epoch ends; a crash loses at most one epoch of rows).</summary>
    public void Flush() => writer?.Flush();

    public void Dispose()
    {
        writer?.Dispose();
        writer = null;
    }

    /// <summary>Reads a steps.csv; malformed lines (e.g. one cut off by a crash) are ignored.</summary>
    public static List<StepRow> Read(string file)
    {
        var result = new List<StepRow>();
        foreach (var line in File.ReadLines(file).Skip(1))
        {
            var parts = line.Split(',');
            if (parts.Length == 4
                && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long iteration)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double loss)
                && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double lr)
                && double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double rate))
            {
                result.Add(new StepRow(iteration, loss, lr, rate));
            }
        }
        return result;
    }

    private void Write(StepRow r) =>
        writer!.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Iteration},{r.Loss:R},{r.Lr:R},{r.ImagesPerSecond:F1}"));
}
