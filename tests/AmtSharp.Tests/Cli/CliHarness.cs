using System.CommandLine;
using AmtSharp.Cli;
using AmtSharp.Cli.Commands;
using AmtSharp.Cli.Configuration;
using AmtSharp.Training.FineTuning;
using AmtSharp.Training.Pretraining;
using Xunit;

namespace AmtSharp.Tests.Cli;

/// <summary>Runs `amt` in-process and checks the user-error contract: exit code 2, one line "amt: ...", no stack trace.</summary>
internal static class CliHarness
{
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs <paramref name="args"/>, asserts a user error, and returns its one line.</summary>
    public static string UserError(params string[] args)
    {
        var (code, _, error) = Run(args);
        Assert.True(code == Program.UserError, $"exit code {code} for 'amt {string.Join(' ', args)}': {error}");
        string[] lines = error.TrimEnd('\n', '\r').Split('\n');
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error}");
        Assert.StartsWith("amt: ", lines[0]);
        Assert.DoesNotContain("   at ", error);
        return lines[0];
    }

    /// <summary>
    /// Parses `amt pretrain ARGS` as Program does (--config merged in) and resolves it, returning the configuration
    /// and its --print-config text.
    /// </summary>
    public static (PretrainConfig Config, string Yaml) ResolvePretrain(params string[] args)
    {
        var options = new PretrainOptions();
        var root = new RootCommand { PretrainCommand.Create(options) };
        string[] full = ["pretrain", .. args];
        var parse = root.Parse(ConfigFileArguments.Merge(root, full)?.Args ?? full);
        Assert.True(parse.Errors.Count == 0, string.Join("; ", parse.Errors.Select(e => e.Message)));
        var config = options.Resolve(parse);
        return (config, options.ToYaml(parse, config));
    }

    /// <summary>As <see cref="ResolvePretrain"/>, for `amt finetune ARGS` (without a checkpoint to load).</summary>
    public static (FineTuneConfig Config, string Yaml) ResolveFineTune(params string[] args)
    {
        var options = new FineTuneOptions();
        var root = new RootCommand { FineTuneCommand.Create(options) };
        string[] full = ["finetune", .. args];
        var parse = root.Parse(ConfigFileArguments.Merge(root, full)?.Args ?? full);
        Assert.True(parse.Errors.Count == 0, string.Join("; ", parse.Errors.Select(e => e.Message)));
        var config = options.Resolve(parse);
        return (config, options.ToYaml(parse, config));
    }
}
