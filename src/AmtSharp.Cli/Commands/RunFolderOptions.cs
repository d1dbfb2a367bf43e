using System.CommandLine;
using AmtSharp.Training.Pretraining;
using AmtSharp.Training.Runs;

namespace AmtSharp.Cli.Commands;

/// <summary>
/// How a training command treats its --output folder: a new run, --resume (continue from the newest checkpoint), or
/// --overwrite (delete the run there and start again). Shared by every command that can resume, so that they refuse and
/// resume alike.
/// </summary>
internal sealed class RunFolderOptions
{
    public readonly Option<bool> Resume = new("--resume") { Description = "Continue from the newest checkpoint in --output (a changed --blr, --min-lr or --warmup-epochs is accepted and printed)." };

    public readonly Option<bool> ResumeFromOlder = new("--resume-from-older") { Description = "With --resume: if the newest checkpoints are damaged, continue from the newest intact one (each damaged file is named)." };

    public readonly Option<bool> Overwrite = new("--overwrite") { Description = "Delete the run already in --output (checkpoints, metrics, reports; each listed) and start again." };

    /// <summary>Whether the command continues a run; refuses contradictory switches.</summary>
    public bool Resuming(ParseResult parse)
    {
        bool resume = parse.GetValue(Resume);
        if (resume && parse.GetValue(Overwrite))
        {
            throw new ConfigException("overwrite", "cannot be combined with --resume (one continues the run, the other deletes it)");
        }
        if (parse.GetValue(ResumeFromOlder) && !resume)
        {
            throw new ConfigException("resume-from-older", "only applies with --resume");
        }
        return resume;
    }

    /// <summary>Opens and locks <paramref name="path"/> as the switches ask; a refusal writes nothing.</summary>
    public RunFolder Open(ParseResult parse, string path, string command, Action<string> note) =>
        RunFolder.Open(path, new RunFolderOpening(
            Resuming(parse) ? RunFolderMode.Resume : parse.GetValue(Overwrite) ? RunFolderMode.Overwrite : RunFolderMode.New, command, Note: note));

    /// <summary>What a resume prints and how it treats damaged checkpoints.</summary>
    public ResumeOptions ResumeOptions(ParseResult parse, Action<string> note) => new(parse.GetValue(ResumeFromOlder), note);
}
