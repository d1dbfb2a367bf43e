using System.CommandLine;
using AmtSharp.Training.Checkpoints;

namespace AmtSharp.Cli.Commands;

/// <summary>`amt checkpoint compare`: are two checkpoints the same training state, bit for bit?</summary>
internal static class CheckpointCommand
{
    /// <summary>Exit code when the checkpoints differ (as cmp and diff use it); 2 stays a user error.</summary>
    public const int Different = 1;

    public static Command Create()
    {
        var first = new Argument<string>("first") { Description = "A checkpoint file or run folder (its newest valid checkpoint)." };
        var second = new Argument<string>("second") { Description = "The checkpoint file or run folder to compare it with." };
        var compare = new Command("compare", "Compare two checkpoints tensor by tensor (weights, optimizer state, AMT prior, position in the data) bit for bit, ignoring wall-clock metadata. Exit 0 when identical, 1 when not.")
        {
            first, second,
        };
        compare.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var differences = CheckpointComparison.Compare(parse.GetValue(first)!, parse.GetValue(second)!);
            foreach (string d in differences)
            {
                o.WriteLine(d);
            }
            o.WriteLine(differences.Count == 0 ? "identical" : $"{differences.Count} difference(s)");
            return differences.Count == 0 ? 0 : Different;
        });
        return new Command("checkpoint", "Work with AmtSharp checkpoints.") { compare };
    }
}
