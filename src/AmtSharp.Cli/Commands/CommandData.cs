using System.CommandLine;
using AmtSharp.Data;
using AmtSharp.Data.Loading;

namespace AmtSharp.Cli.Commands;

/// <summary>
/// The dataset a command opened: its splits, the one line of facts it printed (format, path, images, classes) and
/// the command's record of bad inputs, whose warnings, each printed once, go to standard error.
/// </summary>
internal sealed class CommandData
{
    private CommandData(DatasetSplit train, DatasetSplit? test, DatasetSummary summary, BadInputLog badInputs)
    {
        TrainSplit = train;
        TestSplit = test;
        Summary = summary;
        BadInputs = badInputs;
    }

    public DatasetSplit TrainSplit { get; }

    public DatasetSplit? TestSplit { get; }

    public IImageSource Train => TrainSplit.Source;

    /// <summary>The labelled evaluation split (only when opened with a test split).</summary>
    public IImageSource Test => TestSplit?.Source ?? throw new InvalidOperationException("no test split was opened");

    public DatasetSummary Summary { get; }

    public BadInputLog BadInputs { get; }

    /// <summary>Opens the training split (and, with <paramref name="withTest"/>, the labelled test split), then prints the facts line.</summary>
    public static CommandData Open(ParseResult parse, DatasetSpec spec, bool withTest, bool quiet = false)
    {
        var train = spec.OpenTrainSplit();
        var test = withTest ? spec.OpenTestSplit() : null;
        var error = parse.InvocationConfiguration.Error;
        var log = new BadInputLog(error.WriteLine);
        var summary = DatasetSummary.Of(spec, test is null ? [train] : [train, test]);
        if (!quiet)
        {
            parse.InvocationConfiguration.Output.WriteLine(summary.Line);
        }
        log.ReportListed(train.Source);
        if (test is not null)
        {
            log.ReportListed(test.Source);
        }
        return new CommandData(train, test, summary, log);
    }
}
