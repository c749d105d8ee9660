using System.IO.Compression;

namespace SweepCluster.Training.Artifacts;

/// <summary>
/// The train and test confusion matrices as a PNG: two 2x2 heat maps side by side (rows true class, columns
/// predicted; white 0 to dark blue 1). Written with the framework's zlib, so no imaging library is needed.
/// </summary>
public static class ConfusionImage
{
    private const int Cell = 64;
    private const int Gap = 16;

    public static void Write(string path, double[][] train, double[][] test)
    {
        const int width = 2 * (2 * Cell) + 3 * Gap, height = 2 * Cell + 2 * Gap;
        var rgb = new byte[height * (1 + width * 3)];
        for (var y = 0; y < height; y++)
        {
            var row = y * (1 + width * 3);
            rgb[row] = 0; // filter: none
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = ((byte)255, (byte)255, (byte)255);
                var matrixX = x - Gap;
                var matrix = matrixX < 0 ? -1 : matrixX / (2 * Cell + Gap);
                var inX = matrixX - matrix * (2 * Cell + Gap);
                var inY = y - Gap;
                if (matrix is 0 or 1 && inX is >= 0 and < 2 * Cell && inY is >= 0 and < 2 * Cell)
                {
                    var value = Math.Clamp((matrix == 0 ? train : test)[inY / Cell][inX / Cell], 0, 1);
                    (r, g, b) = ((byte)(255 - 247 * value), (byte)(255 - 207 * value), (byte)(255 - 148 * value));
                    if (inX % Cell == 0 || inY % Cell == 0) (r, g, b) = (160, 160, 160);
                }
                rgb[row + 1 + x * 3] = r;
                rgb[row + 2 + x * 3] = g;
                rgb[row + 3 + x * 3] = b;
            }
        }
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        WriteBigEndian(header, 0, width);
        WriteBigEndian(header, 4, height);
        header[8] = 8; // bits per channel
        header[9] = 2; // colour type: RGB
        Chunk(file, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(rgb);
        Chunk(file, "IDAT", compressed.ToArray());
        Chunk(file, "IEND", []);
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        WriteBigEndian(length, 0, data.Length);
        output.Write(length);
        var typed = new byte[4 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(typed, 0);
        data.CopyTo(typed, 4);
        output.Write(typed);
        var crc = new byte[4];
        WriteBigEndian(crc, 0, (int)Crc32(typed));
        output.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    private static void WriteBigEndian(byte[] target, int offset, int value)
    {
        target[offset] = (byte)(value >> 24);
        target[offset + 1] = (byte)(value >> 16);
        target[offset + 2] = (byte)(value >> 8);
        target[offset + 3] = (byte)value;
    }
}
