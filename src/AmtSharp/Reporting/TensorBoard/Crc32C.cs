using System.Buffers.Binary;
using System.Numerics;

namespace AmtSharp.Reporting.TensorBoard;

/// <summary>
/// CRC-32C (Castagnoli) by <see cref="BitOperations.Crc32C(uint, ulong)"/> (the CPU's CRC instruction where it has
/// one), plus the "masked" form that TFRecord framing stores so that a CRC of data containing CRCs stays well
/// distributed.
/// </summary>
internal static class Crc32C
{
    private const uint MaskDelta = 0xA282EAD8u;

    /// <summary>The CRC-32C of <paramref name="data"/> (initial value and final xor 0xFFFFFFFF).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }
        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }
        return ~crc;
    }

    /// <summary>Rotates right by 15 bits and adds a constant (uint32 wrap-around).</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + MaskDelta);

    /// <summary>The masked CRC-32C of <paramref name="data"/>, as stored in a TFRecord.</summary>
    public static uint Masked(ReadOnlySpan<byte> data) => Mask(Compute(data));
}
