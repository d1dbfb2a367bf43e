using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using AmtSharp.Core;

namespace AmtSharp.Training.Runs;

/// <summary>What run.lock records about the process that holds a run folder.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Host">Machine name; a PID only means something on the host that issued it.</param>
/// <param name="ProcessStartUtc">When that process started, so a PID reused by another process is not taken for the holder.</param>
/// <param name="AcquiredUtc">When it took the lock.</param>
/// <param name="Command">What it runs ("amt pretrain"), for the refusal message.</param>
/// <param name="Token">Random per acquisition, so a process only ever deletes its own lock file.</param>
public sealed record RunLockHolder(int Pid, string Host, DateTimeOffset? ProcessStartUtc, DateTimeOffset AcquiredUtc, string Command, string Token)
{
    public override string ToString() =>
        $"{Command} (PID {Pid} on {Host}, since {AcquiredUtc.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC)";
}

/// <summary>
/// An exclusive lock on a run folder for the life of a training process: run.lock, created with O_EXCL, holds the
/// PID and host. Two processes writing one folder would interleave metrics and overwrite each other's checkpoints,
/// so the second one is refused, naming the holder. A lock left by a process killed on this host is detected (its PID
/// is gone, or belongs to a process started later) and taken over with a note; a lock from another host is never
/// taken over, since its PID cannot be checked from here.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = "run.lock";

    private readonly string path;
    private readonly List<PosixSignalRegistration> signals = [];
    private int released;

    private RunLock(string path, RunLockHolder holder)
    {
        this.path = path;
        Holder = holder;
        // Ctrl-C, kill and a closed terminal end the process without running its disposers: release the lock on the
        // way out, so the next run does not have to take over a stale one. The signal still ends the process.
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try
            {
                signals.Add(PosixSignalRegistration.Create(signal, _ => Release()));
            }
            catch (PlatformNotSupportedException)
            {
                // Without signal handling a killed run leaves a stale lock, which the next run takes over.
            }
        }
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public RunLockHolder Holder { get; }

    public string FilePath => path;

    /// <summary>
    /// Takes the lock of <paramref name="folder"/> (which must exist). Throws <see cref="RunFolderException"/> naming
    /// the holder when a live process has it, or when the folder is not writable.
    /// </summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="command">What this process runs, shown to a process that is refused.</param>
    /// <param name="note">Receives the one-line note when a stale lock is taken over.</param>
    public static RunLock Acquire(string folder, string command, Action<string>? note = null)
    {
        string full = Path.GetFullPath(folder);
        string file = Path.Combine(full, FileName);
        var me = new RunLockHolder(Environment.ProcessId, Environment.MachineName, CurrentProcessStart(), DateTimeOffset.UtcNow,
            command, Guid.NewGuid().ToString("N"));
        byte[] content = JsonSerializer.SerializeToUtf8Bytes(me, RunFolder.JsonOptions);
        // The signal handlers come first, so that a kill right after the file appears still removes it; releasing
        // before the file is ours deletes nothing (the token differs or the file is absent).
        var taken = new RunLock(file, me);
        try
        {
            return Take(file, full, me, content, taken, note);
        }
        catch
        {
            taken.Dispose();
            throw;
        }
    }

    private static RunLock Take(string file, string full, RunLockHolder me, byte[] content, RunLock taken, Action<string>? note)
    {
        // Three rounds: a stale lock taken over, then at most one race with another process doing the same.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                using (var fs = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                {
                    fs.Write(content);
                    fs.Flush(flushToDisk: true);
                }
                return taken;
            }
            catch (IOException) when (File.Exists(file))
            {
                // Held, or left behind: decided below.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new RunFolderException(full, $"cannot be created or is not writable ({e.Message})", e);
            }

            var (holder, raw) = Read(file);
            if (holder is not null && (holder.Host != me.Host || IsAlive(holder)))
            {
                throw new RunFolderException(full, $"is in use by {holder}; wait for it to end, or use another {Setting.Mention("Output")}");
            }
            if (holder is null && raw is null)
            {
                continue;                                      // deleted meanwhile: try again
            }
            if (holder is null && (DateTime.UtcNow - File.GetLastWriteTimeUtc(file)) < TimeSpan.FromSeconds(10))
            {
                // An unreadable, fresh lock is most likely being written right now by another process.
                throw new RunFolderException(full, $"is being locked by another process ({FileName} was just created); wait for it to end, or use another {Setting.Mention("Output")}");
            }
            if (TakeOver(file, raw!))
            {
                note?.Invoke(holder is null
                    ? $"note: took over the unreadable lock {file}"
                    : $"note: took over the stale lock of {holder.Command} (PID {holder.Pid} on {holder.Host} is no longer running)");
            }
        }
        var (last, _) = Read(file);
        throw new RunFolderException(full, $"is in use by {last?.ToString() ?? "another process"}; wait for it to end, or use another {Setting.Mention("Output")}");
    }

    /// <summary>Who holds the lock of <paramref name="folder"/>, or null when nobody does (or the file is unreadable).</summary>
    public static RunLockHolder? HolderOf(string folder) => Read(Path.Combine(Path.GetFullPath(folder), FileName)).Holder;

    /// <summary>Deletes the lock file if it is still this acquisition's (never another process's).</summary>
    public void Dispose()
    {
        foreach (var registration in signals)
        {
            registration.Dispose();
        }
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Release();
    }

    private void OnProcessExit(object? sender, EventArgs e) => Release();

    private void Release()
    {
        if (Interlocked.Exchange(ref released, 1) == 1)
        {
            return;
        }
        try
        {
            if (Read(path).Holder?.Token == Holder.Token)
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A lock that cannot be removed is stale once this process is gone, and the next one takes it over.
        }
    }

    private static (RunLockHolder? Holder, byte[]? Raw) Read(string file)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, []);
        }
        try
        {
            return (JsonSerializer.Deserialize<RunLockHolder>(raw, RunFolder.JsonOptions), raw);
        }
        catch (JsonException)
        {
            return (null, raw);
        }
    }

    // Moves the stale file aside (rename is atomic: of two processes taking over, one wins) and checks that what was
    // moved is the stale lock read before, not a fresh lock another process created in between, which is put back.
    private static bool TakeOver(string file, byte[] stale)
    {
        string aside = $"{file}.stale-{Environment.ProcessId}";
        try
        {
            File.Move(file, aside, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        if (File.ReadAllBytes(aside).AsSpan().SequenceEqual(stale))
        {
            File.Delete(aside);
            return true;
        }
        try
        {
            File.Move(aside, file, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(aside);                                 // a third process holds it now; ours was stale anyway
        }
        return false;
    }

    private static bool IsAlive(RunLockHolder holder)
    {
        if (holder.Pid == Environment.ProcessId)
        {
            return holder.ProcessStartUtc is null || Near(holder.ProcessStartUtc.Value, CurrentProcessStart());
        }
        try
        {
            using var process = Process.GetProcessById(holder.Pid);
            if (process.HasExited)
            {
                return false;
            }
            // The same PID with a later start time is another process that reused it.
            return holder.ProcessStartUtc is null || Near(holder.ProcessStartUtc.Value, new DateTimeOffset(process.StartTime.ToUniversalTime()));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return true;                                        // cannot tell: never take over a lock that may be live
        }
    }

    private static bool Near(DateTimeOffset a, DateTimeOffset? b) => b is null || Math.Abs((a - b.Value).TotalSeconds) < 2;

    private static DateTimeOffset? CurrentProcessStart()
    {
        try
        {
            using var self = Process.GetCurrentProcess();
            return new DateTimeOffset(self.StartTime.ToUniversalTime());
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
