using System.CommandLine;
using AmtSharp.Cli;
using AmtSharp.Core;
using AmtSharp.Models;
using Xunit;
using static AmtSharp.Tests.Cli.CliHarness;

namespace AmtSharp.Tests.Cli;

/// <summary>--precision and --threads reach every command that trains or evaluates; bad values are one-line user errors.</summary>
// Runs amt commands in-process, which set torch's thread count.
[Collection(GlobalStateCollection.Name)]
public sealed class ComputeOptionsTests
{
    public static TheoryData<string> ComputingCommands =>
    [
        "pretrain", "demo", "finetune", "linprobe", "knn", "prior", "experiment cifar10",
        "bench", "bench all", "bench train", "bench run", "bench matmul",
    ];

    [Theory]
    [MemberData(nameof(ComputingCommands))]
    public void EveryComputingCommandTakesPrecisionAndThreads(string path)
    {
        Command command = Program.BuildRoot();
        foreach (var name in path.Split(' '))
        {
            command = command.Subcommands.Single(c => c.Name == name);
        }
        Assert.Contains(command.Options, o => o.Name == "--precision");
        Assert.Contains(command.Options, o => o.Name == "--threads");
    }

    [Theory]
    [MemberData(nameof(ComputingCommands))]
    public void ABadPrecisionOrThreadCountIsAOneLineUserError(string path)
    {
        // Required options given, so that the bad value is the first error.
        string[] command = path switch
        {
            "linprobe" or "knn" => [path, "-c", "missing"],
            "experiment cifar10" => ["experiment", "cifar10", "--data", "missing"],
            _ => path.Split(' '),
        };
        Assert.Contains("--precision must be one of", UserError([.. command, "--precision", "fp16"]));
        Assert.Contains("--threads must be a whole number in [0, 1024], got 'many'", UserError([.. command, "--threads", "many"]));
    }

    [Fact]
    public void PretrainResolvesThePrecisionAndPrintsItInItsConfiguration()
    {
        var (bf16, yaml) = ResolvePretrain("--precision", "bf16");
        Assert.Equal(ComputePrecision.Bf16, bf16.Precision);
        Assert.Contains("precision: bf16", yaml);
        Assert.Equal(ComputePrecision.Fp32, ResolvePretrain("--precision", "fp32").Config.Precision);
        // auto means this machine's choice, the one amt info prints.
        Assert.Equal(PrecisionSupport.Auto.Precision, ResolvePretrain().Config.Precision);
    }

    [Fact]
    public void PretrainWorkersComeFromTheThreadPlan()
    {
        var plan = ThreadPlanner.Plan(ThreadPlanner.AvailableCores, null, null);
        Assert.Equal(plan.Workers, ResolvePretrain().Config.Workers);
        Assert.Equal(3, ResolvePretrain("--workers", "3").Config.Workers);
        Assert.Equal(ThreadPlanner.Plan(ThreadPlanner.AvailableCores, 1, null).Workers, ResolvePretrain("--threads", "1").Config.Workers);
    }

    [Fact]
    public void InfoSaysWhichPrecisionCommandsUseAndWhy()
    {
        var (code, output, error) = Run("info");
        Assert.True(code == 0, error);
        Assert.Contains($"Precision       {PrecisionSupport.Auto.Precision.Name()}: {PrecisionSupport.Auto.Reason}", output);
        Assert.Contains("Thread plan     ", output);
    }
}
