namespace AmtSharp.Data.Sources;

/// <summary>
/// Checks a JPEG's marker structure, which libjpeg does not enforce: it only warns about corrupt entropy-coded data
/// and decodes it to grey blocks, so a file with a valid header and a garbage body would train as a grey image.
/// Inside a scan every 0xFF byte must be stuffed (FF 00), a restart marker in sequence, or the marker that ends the
/// scan; anything else there, or a segment that runs past the end, is corruption.
/// </summary>
internal static class JpegStructure
{
    /// <summary>Null for a well-formed marker structure, else what is wrong.</summary>
    public static string? Problem(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            return "no start-of-image marker";
        }
        int pos = 2;
        bool restartsDefined = false, sawScan = false;
        while (true)
        {
            if (pos + 1 >= jpeg.Length)
            {
                return "the file ends before its end-of-image marker";
            }
            if (jpeg[pos] != 0xFF)
            {
                return $"byte 0x{jpeg[pos]:X2} where a marker should be, at offset {pos}";
            }
            byte marker = jpeg[pos + 1];
            if (marker == 0xFF)
            {
                pos++;                                       // fill byte before a marker
                continue;
            }
            if (marker == 0xD9)
            {
                return sawScan ? null : "end-of-image marker before any scan";
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                pos += 2;                                    // markers without a length
                continue;
            }
            if (!ValidSegment(marker))
            {
                return $"invalid marker 0x{marker:X2} at offset {pos}";
            }
            if (pos + 3 >= jpeg.Length)
            {
                return "the file ends inside a marker";
            }
            int length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
            if (length < 2 || pos + 2 + length > jpeg.Length)
            {
                return $"segment 0x{marker:X2} at offset {pos} runs past the end of the file";
            }
            restartsDefined |= marker == 0xDD && length >= 4 && ((jpeg[pos + 4] << 8) | jpeg[pos + 5]) > 0;
            pos += 2 + length;
            if (marker == 0xDA)
            {
                sawScan = true;
                if (ScanEnd(jpeg, pos, restartsDefined, out string? problem) is int end)
                {
                    pos = end;
                }
                else
                {
                    return problem;
                }
            }
        }
    }

    /// <summary>Where the entropy-coded data starting at <paramref name="pos"/> ends (the next marker), or null with the problem.</summary>
    private static int? ScanEnd(ReadOnlySpan<byte> jpeg, int pos, bool restartsDefined, out string? problem)
    {
        int nextRestart = 0;
        while (true)
        {
            int ff = jpeg[pos..].IndexOf((byte)0xFF);
            if (ff < 0 || pos + ff + 1 >= jpeg.Length)
            {
                problem = "the entropy-coded data runs to the end of the file";
                return null;
            }
            pos += ff;
            byte next = jpeg[pos + 1];
            if (next == 0x00)
            {
                pos += 2;                                    // a stuffed 0xFF data byte
            }
            else if (next is >= 0xD0 and <= 0xD7)
            {
                if (!restartsDefined || next != 0xD0 + nextRestart)
                {
                    problem = $"restart marker 0x{next:X2} out of sequence at offset {pos}";
                    return null;
                }
                nextRestart = (nextRestart + 1) % 8;
                pos += 2;
            }
            else if (next == 0xFF)
            {
                pos++;                                       // fill byte
            }
            else
            {
                problem = null;
                return pos;                                  // the marker that ends the scan
            }
        }
    }

    /// <summary>Markers with a length that may follow SOI or a scan: frame and table definitions, scans, APPn, COM.</summary>
    private static bool ValidSegment(byte marker) => marker is
        (>= 0xC0 and <= 0xCF and not 0xC8) or 0xDA or 0xDB or 0xDC or 0xDD or 0xDE or 0xDF or (>= 0xE0 and <= 0xEF) or 0xFE;
}
