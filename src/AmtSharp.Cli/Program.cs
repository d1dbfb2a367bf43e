using System.CommandLine;
using AmtSharp.Cli.Commands;
using AmtSharp.Cli.Configuration;
using AmtSharp.Training;

namespace AmtSharp.Cli;

/// <summary>The `amt` command. User errors print one line and exit with code 2, a run that stops itself exits with 3; never a stack trace.</summary>
public static class Program
{
    public const int UserError = 2;

    /// <summary>The run stopped itself (a non-finite loss or weights); its last finite checkpoint is named.</summary>
    public const int StoppedRun = 3;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given writers (tests call this directly).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        (output, error) = (new FlagWriter(output), new FlagWriter(error));
        var root = BuildRoot();
        ConfigFileArguments? file = null;
        ParseResult? parsed = null;
        try
        {
            file = ConfigFileArguments.Merge(root, args);
            parsed = root.Parse(file?.Args ?? args);
            if (parsed.Errors.Count > 0)
            {
                var first = parsed.Errors[0];
                error.WriteLine($"amt: {UserErrors.Describe(file?.Describe(first) ?? $"{first.Message} (see 'amt --help')")}");
                return UserError;
            }
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (UserErrors.IsUserError(e))
        {
            string message = e is ConfigException c ? file?.Describe(c) ?? OptionNames.Describe(c) : e.Message;
            error.WriteLine($"amt: {UserErrors.Describe(message)}{UserErrors.SkipAdvice(e, parsed)}");
            return UserError;
        }
        catch (IOException e)
        {
            // A full disk or failing device under any writer (TensorBoard, steps.csv, pictures, reports) ends the
            // command like a failed checkpoint write: one line naming the file, exit 2, the lock released by the usings.
            error.WriteLine($"amt: {UserErrors.Describe(e.Message)}");
            return UserError;
        }
        catch (RunStoppedException e)
        {
            error.WriteLine($"amt: {UserErrors.Describe(OptionNames.Describe(e))}");
            return StoppedRun;
        }
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("AmtSharp: masked image modelling (MAE, SimMIM) with attention-driven masking and throwing (AMT) for .NET.");
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(EvaluateCommands.LinearProbe());
        root.Subcommands.Add(EvaluateCommands.Knn());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(PriorCommand.Create());
        root.Subcommands.Add(VisualizeCommand.Create());
        root.Subcommands.Add(FineTuneCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(CheckpointCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        return root;
    }
}
