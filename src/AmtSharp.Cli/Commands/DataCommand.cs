using System.CommandLine;
using AmtSharp.Data;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt data inspect`: what a dataset folder is and what a run would use of it.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Dataset folders.");
        data.Subcommands.Add(Inspect());
        return data;
    }

    private static Command Inspect()
    {
        var folder = new Argument<string>("DIR") { Description = "The dataset folder." };
        var format = CommonOptions.Format();
        var command = new Command("inspect", "Print the detected format (a --data-format name), one line per split (images, classes, labelled) and each file a run would skip; exit 2 for a folder no command can use.")
        {
            folder, format,
        };
        command.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            DatasetFormat? given = parse.GetResult(format) is { Implicit: false } ? parse.GetValue(format) : null;
            if (given == DatasetFormat.Synthetic)
            {
                throw new ConfigException("data-format", "synthetic has no folder to inspect");
            }
            var spec = DatasetSpec.For(parse.GetValue(folder)!, given);
            var splits = spec.OpenAllSplits();
            o.WriteLine(spec.FormatName);
            foreach (var split in splits)
            {
                o.WriteLine(split.Summary);
            }
            foreach (var skipped in splits.SelectMany(s => s.Source.SkippedFiles).DistinctBy(s => s.Path))
            {
                o.WriteLine($"skip: {skipped.Path} ({skipped.Reason})");
            }
            return 0;
        });
        return command;
    }
}
