using System.Runtime.InteropServices;

namespace AmtSharp.Data.Sources;

/// <summary>
/// What a path is, asked of the file system without opening it: opening a FIFO blocks until a writer comes, and
/// opening a device can have side effects, so an image path must be known to be a regular file first.
/// </summary>
internal static partial class FileKind
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;                 // STATX_TYPE
    private const int StatxSize = 256;                  // sizeof(struct statx), the same on every Linux architecture
    private const int ModeOffset = 28;                  // offsetof(struct statx, stx_mode)
    private const int TypeMask = 0xF000;                // S_IFMT

    /// <summary>Null for a regular file (a symbolic link to one included), else why it is not an image file.</summary>
    public static string? Problem(string path)
    {
        if (Directory.Exists(path))
        {
            return "a folder, not an image file";
        }
        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path) ? null : "file not found";
        }
        int type;
        try
        {
            type = TypeOf(path);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return File.Exists(path) ? null : "file not found";  // a C library without statx: fall back to existence
        }
        return type switch
        {
            0x8000 => null,
            0x1000 => "a FIFO (named pipe), not an image file",
            0xC000 => "a socket, not an image file",
            0x2000 => "a character device, not an image file",
            0x6000 => "a block device, not an image file",
            -1 => new FileInfo(path).LinkTarget is not null ? "a broken symbolic link" : "file not found",
            _ => "not a regular file",
        };
    }

    /// <summary>S_IFMT bits of the path, following symbolic links; -1 if it cannot be found.</summary>
    private static unsafe int TypeOf(string path)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
        {
            return -1;
        }
        return *(ushort*)(buffer + ModeOffset) & TypeMask;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
