using System.Buffers.Binary;
using AmtSharp.Core;

namespace AmtSharp.Models.Interop;

/// <summary>Recognises a weight file by its first bytes and reads PyTorch and safetensors files.</summary>
public static class WeightsFile
{
    /// <summary>
    /// The first bytes of an AmtSharp training checkpoint (written by Training.Checkpoints.CheckpointFile); kept here,
    /// below Training, so that detection needs nothing from it.
    /// </summary>
    public static ReadOnlySpan<byte> CheckpointMagic => "AMTSCKPT"u8;

    /// <summary>The file's format; throws <see cref="CheckpointException"/> for anything else.</summary>
    public static WeightsFormat Detect(string path)
    {
        string full = Path.GetFullPath(path);
        Span<byte> head = stackalloc byte[9];
        int got;
        using (var file = OpenRead(full))
        {
            got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        head = head[..got];
        if (got == 0)
        {
            throw new CheckpointException(full, "is empty");
        }
        if (head.StartsWith(CheckpointMagic))
        {
            return WeightsFormat.AmtSharpCheckpoint;
        }
        // Before the pickle test: a header length of 128 + 256k also starts with byte 0x80.
        if (got == 9 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) > 1)
        {
            return WeightsFormat.Safetensors;
        }
        // Zip (torch.save since 1.6) or a bare pickle, PROTO opcode first (the legacy format, refused later with advice).
        if (head.StartsWith("PK\x03\x04"u8) || (got >= 2 && head[0] == 0x80 && head[1] <= 5))
        {
            return WeightsFormat.PyTorch;
        }
        throw new CheckpointException(full, "is neither an AmtSharp checkpoint nor a PyTorch (.pth) or safetensors weight file");
    }

    /// <summary>Reads a PyTorch or safetensors file (our own checkpoints go through PretrainedModel.Load).</summary>
    public static LoadedWeights Read(string path) => Detect(path) switch
    {
        WeightsFormat.PyTorch => PyTorchFile.Read(path),
        WeightsFormat.Safetensors => SafetensorsFile.Read(path),
        _ => throw new CheckpointException(Path.GetFullPath(path), "is an AmtSharp checkpoint; load it with PretrainedModel.Load"),
    };

    /// <summary>Opens a file for reading; a missing or unreadable file becomes a <see cref="CheckpointException"/>.</summary>
    internal static FileStream OpenRead(string full)
    {
        try
        {
            return new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(full, "file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(full, $"could not be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes an export atomically (<see cref="AtomicFile"/>), creating its folder; a failure becomes a
    /// <see cref="CheckpointException"/> naming the file.
    /// </summary>
    internal static void Write(string path, Action<Stream> body)
    {
        string full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            AtomicFile.Write(full, body);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(full, $"could not be written: {e.Message}", e);
        }
    }
}
