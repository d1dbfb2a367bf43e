using System.Text.Json;
using AmtSharp.Core;
using AmtSharp.Training.Runs;

namespace AmtSharp.Experiments;

/// <summary>
/// What a study page was made from, kept beside it as PAGE.runs.json: the study's record of its budget and data, the
/// commands, and every finished arm's result (a few kilobytes, no weights). The study folder holds hours of runs
/// outside the repository and may be lost; committed with the page, the ledger lets <c>--page-only</c> rewrite the
/// page without it, and arms finished later in a fresh folder add to the ledger instead of replacing it.
/// </summary>
/// <param name="Study">The study folder's record of its budget and data (JSON); a ledger only takes runs of the same one.</param>
/// <param name="Commands">Every command that ran, in order.</param>
/// <param name="Results">The finished arms on the main dataset.</param>
/// <param name="Synthetic">The finished arms on the synthetic shapes.</param>
public sealed record StudyLedger(string Study, IReadOnlyList<string> Commands, IReadOnlyList<ArmResult> Results, IReadOnlyList<ArmResult> Synthetic)
{
    /// <summary>The ledger of the page <paramref name="page"/> ("docs/study.md" → "docs/study.runs.json").</summary>
    public static string PathFor(string page) => Path.ChangeExtension(page, ".runs.json");

    /// <summary>The ledger in <paramref name="file"/>, or null when there is none.</summary>
    public static StudyLedger? Read(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<StudyLedger>(File.ReadAllText(file), RunFolder.JsonOptions)
                ?? throw new CheckpointException(file, "is empty");
        }
        catch (JsonException e)
        {
            throw new CheckpointException(file, $"is not a study ledger ({e.Message})");
        }
    }

    public void Write(string file) => AtomicFile.WriteAllText(file, JsonSerializer.Serialize(this, RunFolder.JsonOptions));

    /// <summary>This ledger with <paramref name="commands"/> and the results added; a result of an arm and seed the
    /// ledger already holds replaces it (the folder's is the newer evaluation).</summary>
    public StudyLedger With(IReadOnlyList<string> commands, IReadOnlyList<ArmResult> results, IReadOnlyList<ArmResult> synthetic) => this with
    {
        Commands = Commands.Concat(commands).Distinct().ToList(),
        Results = Merge(Results, results),
        Synthetic = Merge(Synthetic, synthetic),
    };

    private static List<ArmResult> Merge(IReadOnlyList<ArmResult> kept, IReadOnlyList<ArmResult> fresh)
    {
        var replaced = fresh.Select(r => (r.Seed, r.Name)).ToHashSet();
        return kept.Where(r => !replaced.Contains((r.Seed, r.Name))).Concat(fresh)
            .OrderBy(r => r.Seed).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }
}
