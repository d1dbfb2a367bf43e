using System.Text.Json;
using AmtSharp.Training.Evaluation;
using AmtSharp.Training.Runs;
using Xunit;

namespace AmtSharp.Tests.Training;

public sealed class RunFolderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "amtsharp-run-" + Guid.NewGuid().ToString("N"));

    public RunFolderTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed record DemoConfig(string Model, double BaseLr, int[] Epochs, ProbeOptimizer Optimizer);

    [Fact]
    public void UnwritablePathGivesSpecificErrorNamingIt()
    {
        string blocker = Path.Combine(_root, "blocker");
        File.WriteAllText(blocker, "a file where a folder should go");
        string wanted = Path.Combine(blocker, "run1");
        var e = Assert.Throws<RunFolderException>(() => RunFolder.Create(wanted));
        Assert.Equal(wanted, e.FolderPath);
        Assert.Contains(wanted, e.Message);
    }

    [Fact]
    public void ConfigIsIndentedJsonThatReadsBack()
    {
        var run = RunFolder.Create(Path.Combine(_root, "r"));
        var cfg = new DemoConfig("vit_tiny", 1.5e-4, new[] { 1, 2 }, ProbeOptimizer.Lars);
        run.WriteConfig(cfg);
        string text = File.ReadAllText(run.PathOf(RunFolder.ConfigFile));
        Assert.Contains("\n  \"model\": \"vit_tiny\"", text);
        Assert.Contains("\"optimizer\": \"lars\"", text);
        Assert.Equal(cfg.BaseLr, JsonSerializer.Deserialize<DemoConfig>(text, RunFolder.JsonOptions)!.BaseLr);
        Assert.False(File.Exists(run.PathOf(RunFolder.ConfigFile) + ".tmp"));
    }

    [Fact]
    public void EnvironmentRecordsVersionsThreadsAndCommit()
    {
        var run = RunFolder.Create(Path.Combine(_root, "env"));
        var info = run.WriteEnvironment(EnvironmentInfo.Capture(AppContext.BaseDirectory));
        using var doc = JsonDocument.Parse(File.ReadAllText(run.PathOf(RunFolder.EnvironmentFile)));
        var r = doc.RootElement;
        Assert.Equal(LibraryInfo.Version, r.GetProperty("library_version").GetString());
        Assert.StartsWith("0.107", r.GetProperty("torch_sharp_version").GetString());
        Assert.Contains(".NET", r.GetProperty("dotnet_version").GetString());
        Assert.Equal(Environment.ProcessorCount, r.GetProperty("processor_count").GetInt32());
        Assert.True(r.GetProperty("torch_threads").GetInt32() >= 1);
        // The tests run inside the repository checkout (a worktree here), so the commit is known.
        string commit = r.GetProperty("git_commit").GetString()!;
        Assert.True(commit == GitInfo.Unknown || commit.Length == 40, commit);
        Assert.Equal(info.GitCommit, commit);
    }

    [Fact]
    public void MetricsAreAppendedOneLinePerRecord()
    {
        var run = RunFolder.Create(Path.Combine(_root, "m"));
        run.AppendMetrics(new ProbeEpochMetrics(0, 1.5, 0.1, 0.5, 0.9));
        run.AppendMetrics(new ProbeEpochMetrics(1, double.NaN, 0.1, 0.6, 0.95)); // a diverged loss must still log
        run.AppendMetrics(new { epoch = 2, note = "free-form" });

        var lines = File.ReadAllLines(run.PathOf(RunFolder.MetricsFile));
        Assert.Equal(3, lines.Length);
        Assert.Contains("\"train_loss\":1.5", lines[0]);
        Assert.Contains("\"NaN\"", lines[1]);
        var back = run.ReadMetrics();
        Assert.Equal(2, back[2].GetProperty("epoch").GetInt32());
        Assert.Equal(0.95, back[1].GetProperty("test_top5").GetDouble());
    }

    [Fact]
    public void FinalIsWritten()
    {
        var run = RunFolder.Create(Path.Combine(_root, "f"));
        run.WriteFinal(new { top1 = 0.71, status = "done" });
        using var doc = JsonDocument.Parse(File.ReadAllText(run.PathOf(RunFolder.FinalFile)));
        Assert.Equal(0.71, doc.RootElement.GetProperty("top1").GetDouble());
    }

    [Fact]
    public void ReusingAnExistingFolderWorks()
    {
        string p = Path.Combine(_root, "again");
        RunFolder.Create(p).AppendMetrics(new { a = 1 });
        RunFolder.Create(p).AppendMetrics(new { a = 2 });
        Assert.Equal(2, RunFolder.Create(p).ReadMetrics().Count);
    }
}

public sealed class GitInfoTests : IDisposable
{
    private const string A = "0123456789abcdef0123456789abcdef01234567";
    private const string B = "fedcba9876543210fedcba9876543210fedcba98";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "amtsharp-git-" + Guid.NewGuid().ToString("N"));

    public GitInfoTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Repo(string name, string head)
    {
        string repo = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(repo, ".git", "refs", "heads"));
        File.WriteAllText(Path.Combine(repo, ".git", "HEAD"), head + "\n");
        return repo;
    }

    [Fact]
    public void LooseRefFromASubfolder()
    {
        string repo = Repo("loose", "ref: refs/heads/main");
        File.WriteAllText(Path.Combine(repo, ".git", "refs", "heads", "main"), A + "\n");
        Directory.CreateDirectory(Path.Combine(repo, "src", "deep"));
        Assert.Equal(new GitInfo(A, "main"), GitInfo.Read(Path.Combine(repo, "src", "deep")));
    }

    [Fact]
    public void PackedRef()
    {
        string repo = Repo("packed", "ref: refs/heads/dev");
        File.WriteAllText(Path.Combine(repo, ".git", "packed-refs"), $"# pack-refs with: peeled fully-peeled sorted\n{B} refs/heads/dev\n");
        Assert.Equal(new GitInfo(B, "dev"), GitInfo.Read(repo));
    }

    [Fact]
    public void DetachedHead() => Assert.Equal(new GitInfo(A, null), GitInfo.Read(Repo("detached", A)));

    [Fact]
    public void WorktreeGitFileWithCommonDir()
    {
        string main = Repo("main", "ref: refs/heads/main");
        File.WriteAllText(Path.Combine(main, ".git", "refs", "heads", "train"), B + "\n");
        string wtGitDir = Path.Combine(main, ".git", "worktrees", "train");
        Directory.CreateDirectory(wtGitDir);
        File.WriteAllText(Path.Combine(wtGitDir, "HEAD"), "ref: refs/heads/train\n");
        File.WriteAllText(Path.Combine(wtGitDir, "commondir"), "../..\n");
        string wt = Path.Combine(_root, "wt");
        Directory.CreateDirectory(wt);
        File.WriteAllText(Path.Combine(wt, ".git"), $"gitdir: {wtGitDir}\n");
        Assert.Equal(new GitInfo(B, "train"), GitInfo.Read(wt));
    }

    [Fact]
    public void NoCheckoutIsUnknown()
    {
        // Path.GetTempPath() may itself sit inside a checkout on a developer machine; "/" never does.
        Assert.Equal(GitInfo.Unknown, GitInfo.Read("/").Commit);
    }
}
