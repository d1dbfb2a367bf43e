using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace AmtSharp.Data.Sources;

/// <summary>
/// Decodes a huge PNG straight to a reduced size, one row at a time: memory is the reduced image, the compressed data
/// and two rows, not the full image (Skia's PNG codec has neither scaled nor scanline decoding). Each output pixel is
/// the rounded mean of a factor × factor block (edge blocks of the pixels that exist), as PIL's Image.reduce does.
/// Alpha is dropped and 16-bit samples rounded to 8 bits, as the full decode does. Interlaced (Adam7) files are left
/// to the full decode.
/// </summary>
internal static class PngReducedDecoder
{
    private sealed record Header(int Width, int Height, int BitDepth, int ColourType, bool Interlaced)
    {
        public int Channels => ColourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };

        public int BitsPerPixel => Channels * BitDepth;

        // The filters' byte distance to "the pixel on the left": at least one byte.
        public int FilterStride => Math.Max(1, BitsPerPixel / 8);

        public long RowBytes => ((long)Width * BitsPerPixel + 7) / 8;

        public bool Supported => !Interlaced && (ColourType, BitDepth) is
            (0, 1 or 2 or 4 or 8 or 16) or (2, 8 or 16) or (3, 1 or 2 or 4 or 8) or (4, 8 or 16) or (6, 8 or 16);
    }

    /// <summary>
    /// The image reduced by <paramref name="factor"/> (≥ 2) in both directions, rounded up; null when the file is a
    /// PNG this decoder leaves to the full decode (interlaced or an unusual format). Corrupt data is a
    /// <see cref="DataException"/> naming <paramref name="name"/>.
    /// </summary>
    public static RgbImage? TryDecode(ReadOnlySpan<byte> file, string name, int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 2);
        var (header, palette, compressed) = ReadChunks(file, name);
        if (header is null || !header.Supported || (header.ColourType == 3 && palette is null))
        {
            return null;
        }
        try
        {
            compressed.Position = 0;   // the IDAT data as read, no copy
            using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
            return Reduce(header, palette, inflater, factor);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new DataException(name, $"corrupt or truncated image (PNG data: {e.Message})", e);
        }
    }

    // The header, the palette and the concatenated IDAT data; critical chunks must pass their CRC, as libpng requires.
    private static (Header? Header, byte[]? Palette, MemoryStream Compressed) ReadChunks(ReadOnlySpan<byte> file, string name)
    {
        ReadOnlySpan<byte> signature = [137, 80, 78, 71, 13, 10, 26, 10];
        if (!file.StartsWith(signature))
        {
            return (null, null, new MemoryStream());
        }
        Header? header = null;
        byte[]? palette = null;
        var compressed = new MemoryStream();
        for (int at = signature.Length; at + 8 <= file.Length;)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(file[at..]);
            if (at + 12 + length > file.Length)
            {
                throw new DataException(name, "corrupt or truncated image (a PNG chunk runs past the end of the file)");
            }
            ReadOnlySpan<byte> typeAndData = file.Slice(at + 4, 4 + (int)length);
            string type = System.Text.Encoding.ASCII.GetString(typeAndData[..4]);
            ReadOnlySpan<byte> data = typeAndData[4..];
            bool critical = char.IsUpper(type[0]);
            if (critical && Crc32.HashToUInt32(typeAndData) != BinaryPrimitives.ReadUInt32BigEndian(file[(at + 8 + (int)length)..]))
            {
                throw new DataException(name, $"corrupt image (CRC mismatch in the PNG {type} chunk)");
            }
            switch (type)
            {
                case "IHDR" when data.Length >= 13:
                    header = new Header((int)BinaryPrimitives.ReadUInt32BigEndian(data), (int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
                        data[8], data[9], data[12] != 0);
                    break;
                case "PLTE":
                    palette = data.ToArray();
                    break;
                case "IDAT":
                    compressed.Write(data);
                    break;
                case "IEND":
                    return (header, palette, compressed);
            }
            at += 12 + (int)length;
        }
        return (header, palette, compressed);
    }

    private static RgbImage Reduce(Header h, byte[]? palette, Stream inflater, int factor)
    {
        int outWidth = (h.Width + factor - 1) / factor, outHeight = (h.Height + factor - 1) / factor;
        var output = new byte[(long)outWidth * outHeight * 3];
        var sums = new int[outWidth * 3];
        var row = new byte[h.RowBytes];
        var previous = new byte[h.RowBytes];
        var rgb = new byte[h.Width * 3];
        Span<byte> filter = stackalloc byte[1];
        for (int y = 0; y < h.Height; y++)
        {
            inflater.ReadExactly(filter);
            inflater.ReadExactly(row);
            Unfilter(filter[0], row, previous, h.FilterStride);
            ToRgb(h, palette, row, rgb);
            for (int x = 0; x < h.Width; x++)
            {
                int o = x / factor * 3;
                sums[o] += rgb[3 * x];
                sums[o + 1] += rgb[3 * x + 1];
                sums[o + 2] += rgb[3 * x + 2];
            }
            if ((y + 1) % factor == 0 || y == h.Height - 1)
            {
                WriteBand(sums, output, y / factor, outWidth, h.Width, factor, y % factor + 1);
                Array.Clear(sums);
            }
            (row, previous) = (previous, row);
        }
        return new RgbImage(outWidth, outHeight, output);
    }

    // The rounded mean of each block of the finished band of rows.
    private static void WriteBand(int[] sums, byte[] output, int outY, int outWidth, int width, int factor, int rows)
    {
        for (int ox = 0; ox < outWidth; ox++)
        {
            int count = Math.Min(factor, width - ox * factor) * rows;
            for (int c = 0; c < 3; c++)
            {
                output[((long)outY * outWidth + ox) * 3 + c] = (byte)((sums[ox * 3 + c] + count / 2) / count);
            }
        }
    }

    // PNG's five per-row filters (ISO 15948 §9), undone in place against the previous (already unfiltered) row.
    private static void Unfilter(byte type, byte[] row, byte[] previous, int stride)
    {
        switch (type)
        {
            case 0:
                return;
            case 1:
                for (int i = stride; i < row.Length; i++)
                {
                    row[i] += row[i - stride];
                }
                return;
            case 2:
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] += previous[i];
                }
                return;
            case 3:
                for (int i = 0; i < row.Length; i++)
                {
                    int left = i >= stride ? row[i - stride] : 0;
                    row[i] += (byte)((left + previous[i]) >> 1);
                }
                return;
            case 4:
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= stride ? row[i - stride] : 0, b = previous[i], c = i >= stride ? previous[i - stride] : 0;
                    row[i] += Paeth(a, b, c);
                }
                return;
            default:
                throw new InvalidDataException($"unknown row filter {type}");
        }
    }

    private static byte Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }

    // One unfiltered row to 8-bit RGB: grey is replicated, palette indices looked up, alpha dropped.
    private static void ToRgb(Header h, byte[]? palette, byte[] row, byte[] rgb)
    {
        for (int x = 0; x < h.Width; x++)
        {
            switch (h.ColourType)
            {
                case 0 or 4:
                    {
                        byte g = h.BitDepth < 8 ? Scale(Packed(row, x, h.BitDepth), h.BitDepth) : Sample(row, x * h.Channels, h.BitDepth);
                        rgb[3 * x] = rgb[3 * x + 1] = rgb[3 * x + 2] = g;
                        break;
                    }
                case 3:
                    {
                        int index = h.BitDepth < 8 ? Packed(row, x, h.BitDepth) : row[x];
                        // An index past the palette is an error libpng tolerates; it reads as black here.
                        bool known = 3 * index + 2 < palette!.Length;
                        for (int c = 0; c < 3; c++)
                        {
                            rgb[3 * x + c] = known ? palette[3 * index + c] : (byte)0;
                        }
                        break;
                    }
                default:
                    for (int c = 0; c < 3; c++)
                    {
                        rgb[3 * x + c] = Sample(row, x * h.Channels + c, h.BitDepth);
                    }
                    break;
            }
        }
    }

    // Sample number `i` of an 8- or 16-bit row; 16-bit big-endian values rounded to 8 bits.
    private static byte Sample(byte[] row, int i, int depth) =>
        depth == 8 ? row[i] : (byte)(((row[2 * i] << 8 | row[2 * i + 1]) * 255 + 32767) / 65535);

    // Sample `x` of a 1-, 2- or 4-bit row (most significant bits first).
    private static int Packed(byte[] row, int x, int depth)
    {
        int bit = x * depth;
        return row[bit >> 3] >> (8 - depth - (bit & 7)) & ((1 << depth) - 1);
    }

    private static byte Scale(int value, int depth) => (byte)(value * 255 / ((1 << depth) - 1));
}
