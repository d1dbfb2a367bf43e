using System.Runtime.InteropServices;
using AmtSharp.Data;
using TorchSharp;

namespace AmtSharp.Training.Runs;

/// <summary>What a run ran on, for environment.json: the software, the machine and, when known, the dataset.</summary>
public sealed record EnvironmentInfo(
    string LibraryVersion,
    string TorchSharpVersion,
    string DotnetVersion,
    string Os,
    string Architecture,
    int ProcessorCount,
    int TorchThreads,
    string GitCommit,
    string? GitBranch,
    string WorkingDirectory,
    DateTimeOffset CreatedUtc,
    DatasetSummary? Data = null)
{
    /// <summary>Captures the current process; git provenance from <paramref name="workingDirectory"/> (default: current).</summary>
    public static EnvironmentInfo Capture(string? workingDirectory = null)
    {
        string wd = Path.GetFullPath(workingDirectory ?? Environment.CurrentDirectory);
        var git = GitInfo.Read(wd);
        return new EnvironmentInfo(
            LibraryInfo.Version,
            typeof(torch).Assembly.GetName().Version?.ToString() ?? GitInfo.Unknown,
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription,
            RuntimeInformation.OSArchitecture.ToString(),
            Environment.ProcessorCount,
            torch.get_num_threads(),
            git.Commit,
            git.Branch,
            wd,
            DateTimeOffset.UtcNow);
    }
}
