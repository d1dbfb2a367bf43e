using System.Buffers.Binary;

namespace AmtSharp.Reporting.TensorBoard;

/// <summary>
/// TFRecord framing: uint64 LE length, uint32 LE masked CRC-32C of those 8 bytes,
/// the payload, uint32 LE masked CRC-32C of the payload.
/// </summary>
internal static class TfRecord
{
    /// <summary>Bytes a record adds around its payload.</summary>
    public const int Overhead = 8 + 4 + 4;

    /// <summary>The framed record for <paramref name="payload"/>.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var record = new byte[Overhead + payload.Length];
        Span<byte> span = record;
        BinaryPrimitives.WriteUInt64LittleEndian(span[..8], (ulong)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span.Slice(8, 4), Crc32C.Masked(span[..8]));
        payload.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(12 + payload.Length)..], Crc32C.Masked(payload));
        return record;
    }
}
