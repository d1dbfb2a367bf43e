using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AmtSharp.Reporting.TensorBoard;

/// <summary>
/// A minimal protocol-buffers encoder: just the wire types the TensorBoard event messages need
/// (varint, fixed64, length-delimited, fixed32). Fields are written in the order they are called.
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private readonly ArrayBufferWriter<byte> _buffer = new(64);

    /// <summary>Number of bytes written so far.</summary>
    public int Length => _buffer.WrittenCount;

    /// <summary>The encoded message so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>A double field (wire type 1, little-endian IEEE 754).</summary>
    public void WriteDouble(int field, double value)
    {
        WriteTag(field, WireFixed64);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>A float field (wire type 5, little-endian IEEE 754).</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>An int64 field (varint of the two's-complement value; negatives take 10 bytes).</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint(unchecked((ulong)value));
    }

    /// <summary>An int32 field (sign-extended to 64 bits, as protobuf specifies).</summary>
    public void WriteInt32(int field, int value) => WriteInt64(field, value);

    /// <summary>A string field (UTF-8, length-delimited).</summary>
    public void WriteString(int field, string value)
    {
        WriteTag(field, WireLengthDelimited);
        int count = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)count);
        int written = Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(written);
    }

    /// <summary>A bytes field (length-delimited).</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>An embedded message field (length-delimited).</summary>
    public void WriteMessage(int field, ProtoWriter message) => WriteBytes(field, message.WrittenSpan);

    private void WriteTag(int field, int wireType)
    {
        if (field <= 0 || field > 0x1FFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(field), field, "Protobuf field numbers are 1 .. 2^29-1.");
        }
        WriteVarint(((ulong)field << 3) | (uint)wireType);
    }

    /// <summary>Base-128 varint: 7 bits per byte, low group first, high bit set on all but the last.</summary>
    public void WriteVarint(ulong value)
    {
        Span<byte> span = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        _buffer.Advance(n);
    }
}
