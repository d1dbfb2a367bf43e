namespace AmtSharp.Training.Runs;

/// <summary>The commit of the checkout containing a folder, read from .git without spawning git.</summary>
public sealed record GitInfo(string Commit, string? Branch)
{
    public const string Unknown = "unknown";

    /// <summary>
    /// Walks up from <paramref name="startDirectory"/> to the nearest .git. Handles plain checkouts, worktrees
    /// and submodules (".git" file with "gitdir:"), loose refs and packed-refs. Anything unreadable gives "unknown".
    /// </summary>
    public static GitInfo Read(string startDirectory)
    {
        try
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
            {
                string dotGit = Path.Combine(dir.FullName, ".git");
                if (Directory.Exists(dotGit))
                {
                    return FromGitDir(dotGit);
                }
                if (File.Exists(dotGit))
                {
                    string line = File.ReadAllText(dotGit).Trim();
                    const string prefix = "gitdir:";
                    if (!line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        return new GitInfo(Unknown, null);
                    }
                    string gitDir = Path.GetFullPath(line[prefix.Length..].Trim(), dir.FullName);
                    return FromGitDir(gitDir);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Fall through: provenance is best-effort and must never stop a run.
        }
        return new GitInfo(Unknown, null);
    }

    private static GitInfo FromGitDir(string gitDir)
    {
        string head = File.ReadAllText(Path.Combine(gitDir, "HEAD")).Trim();
        if (!head.StartsWith("ref:", StringComparison.Ordinal))
        {
            return new GitInfo(IsHash(head) ? head : Unknown, null); // detached HEAD
        }
        string refName = head["ref:".Length..].Trim();
        string? branch = refName.StartsWith("refs/heads/", StringComparison.Ordinal) ? refName["refs/heads/".Length..] : refName;

        // A worktree's own git dir holds HEAD; branch refs live in the common dir it points to.
        string commonDir = gitDir;
        string commonFile = Path.Combine(gitDir, "commondir");
        if (File.Exists(commonFile))
        {
            commonDir = Path.GetFullPath(File.ReadAllText(commonFile).Trim(), gitDir);
        }
        foreach (string d in new[] { gitDir, commonDir }.Distinct())
        {
            string loose = Path.Combine(d, refName.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(loose))
            {
                string hash = File.ReadAllText(loose).Trim();
                if (IsHash(hash))
                {
                    return new GitInfo(hash, branch);
                }
            }
        }
        string packed = Path.Combine(commonDir, "packed-refs");
        if (File.Exists(packed))
        {
            foreach (string line in File.ReadLines(packed))
            {
                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && parts[1].Trim() == refName && IsHash(parts[0]))
                {
                    return new GitInfo(parts[0], branch);
                }
            }
        }
        return new GitInfo(Unknown, branch); // e.g. a branch with no commits yet
    }

    private static bool IsHash(string s) =>
        s.Length is 40 or 64 && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
