using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using AmtSharp.Training.Runs;
using Xunit;

namespace AmtSharp.Tests.Training;

/// <summary>The run folder lock (issue 12, item 1): one process per folder, stale locks of dead processes taken over.</summary>
public sealed class RunLockTests : IDisposable
{
    private readonly TestUtil.TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string LockFile => Path.Combine(dir.Path, RunLock.FileName);

    [Fact]
    public void TheLockFileHoldsPidAndHostAndGoesAwayOnDispose()
    {
        using (var folder = RunFolder.Open(dir.Path, new RunFolderOpening(RunFolderMode.New, "amt pretrain")))
        {
            var holder = RunLock.HolderOf(dir.Path);
            Assert.NotNull(holder);
            Assert.Equal(Environment.ProcessId, holder.Pid);
            Assert.Equal(Environment.MachineName, holder.Host);
            Assert.Equal("amt pretrain", holder.Command);
        }
        Assert.False(File.Exists(LockFile));
    }

    [Fact]
    public void ASecondOpenWhileTheFirstIsAliveIsRefusedNamingTheHolder()
    {
        using var first = RunFolder.Open(dir.Path, new RunFolderOpening(RunFolderMode.Reuse, "amt pretrain"));
        byte[] before = File.ReadAllBytes(LockFile);
        var e = Assert.Throws<RunFolderException>(() => RunFolder.Open(dir.Path, new RunFolderOpening(RunFolderMode.Reuse, "amt demo")));
        Assert.Contains($"is in use by amt pretrain (PID {Environment.ProcessId} on {Environment.MachineName}", e.Message);
        Assert.Equal(before, File.ReadAllBytes(LockFile));   // the holder's lock is untouched
    }

    [Fact]
    public void ALiveProcessOfThisHostHoldsTheLock()
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60"))!;
        try
        {
            WriteLock(sleeper.Id, Environment.MachineName, new DateTimeOffset(sleeper.StartTime.ToUniversalTime()));
            var e = Assert.Throws<RunFolderException>(() => RunFolder.Open(dir.Path, RunFolderOpening.Reuse));
            Assert.Contains($"PID {sleeper.Id} on {Environment.MachineName}", e.Message);
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
    }

    [Fact]
    public void TheStaleLockOfADeadProcessIsTakenOverWithANote()
    {
        int dead = DeadPid();
        WriteLock(dead, Environment.MachineName, DateTimeOffset.UtcNow.AddMinutes(-5));
        var notes = new List<string>();
        using (var folder = RunFolder.Open(dir.Path, new RunFolderOpening(RunFolderMode.New, "amt pretrain", Note: notes.Add)))
        {
            Assert.Equal(Environment.ProcessId, RunLock.HolderOf(dir.Path)!.Pid);
        }
        var note = Assert.Single(notes);
        Assert.Contains($"took over the stale lock of amt pretrain (PID {dead} on {Environment.MachineName} is no longer running)", note);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void APidReusedByALaterProcessIsNotTakenForTheHolder()
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60"))!;
        try
        {
            // The recorded holder started an hour before the process that now has its PID.
            WriteLock(sleeper.Id, Environment.MachineName, new DateTimeOffset(sleeper.StartTime.ToUniversalTime()).AddHours(-1));
            var notes = new List<string>();
            using var folder = RunFolder.Open(dir.Path, RunFolderOpening.Reuse with { Note = notes.Add });
            Assert.Single(notes);
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
    }

    [Fact]
    public void ALockFromAnotherHostIsNeverTakenOver()
    {
        WriteLock(DeadPid(), "some-other-host", DateTimeOffset.UtcNow);
        var e = Assert.Throws<RunFolderException>(() => RunFolder.Open(dir.Path, RunFolderOpening.Reuse));
        Assert.Contains("on some-other-host", e.Message);
    }

    private void WriteLock(int pid, string host, DateTimeOffset started) =>
        File.WriteAllBytes(LockFile, JsonSerializer.SerializeToUtf8Bytes(
            new RunLockHolder(pid, host, started, started, "amt pretrain", "token"), RunFolder.JsonOptions));

    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true"))!;
        process.WaitForExit();
        return process.Id;
    }

    [Fact]
    public void ARunEndedBySigtermReleasesItsLock()
    {
        string amt = Path.Combine(AppContext.BaseDirectory, "amt.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", amt, "pretrain", "--depth", "1", "--epochs", "200", "--batch-size", "32",
            "--limit", "256", "--decoder-width", "32", "--decoder-depth", "1", "--quiet", "-o", dir.Path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var run = Process.Start(start)!;
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(LockFile) && clock.Elapsed < TimeSpan.FromSeconds(60) && !run.HasExited)
            {
                Thread.Sleep(100);
            }
            Assert.True(File.Exists(LockFile), "the run never took its lock: " + (run.HasExited ? run.StandardError.ReadToEnd() : "still starting"));
            Assert.Equal(run.Id, RunLock.HolderOf(dir.Path)!.Pid);
            Assert.Equal(0, Kill(run.Id, 15));                   // SIGTERM, as `kill` sends it
            Assert.True(run.WaitForExit(30_000));
            Assert.False(File.Exists(LockFile));
        }
        finally
        {
            if (!run.HasExited)
            {
                run.Kill();
                run.WaitForExit();
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
