using System.Numerics;
using System.Text.RegularExpressions;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace SweepCluster.Training.Data;

/// <summary>
/// An open SWGO shower file: dataset <c>data</c> (N x H x W, float32 or float64) and the pandas frame
/// <c>info</c> in its <c>fixed</c> or <c>table</c> layout, compressed or not. Opening checks the structure
/// and reads the frame; the images are streamed in blocks so that they are read once, in their own type.
/// </summary>
public sealed partial class SwgoFile : IDisposable
{
    public const string LabelColumn = "Y_class";

    private readonly NativeFile _file;
    private readonly IH5Dataset _data;

    private SwgoFile(string path, NativeFile file)
    {
        Path = path;
        _file = file;
        if (!file.LinkExists("data"))
            throw new DataFileException(path, "no dataset 'data' (a SWGO file holds the images as data, N x height x width)");
        _data = file.Dataset("data");
        var dims = _data.Space.Dimensions;
        if (dims.Length != 3)
            throw new DataFileException(path, $"dataset 'data' has shape ({string.Join(", ", dims)}); expected N x height x width");
        if (_data.Type.Class != H5DataTypeClass.FloatingPoint || _data.Type.Size is not (4 or 8))
            throw new DataFileException(path, $"dataset 'data' holds {_data.Type.Class} values of {_data.Type.Size} bytes; expected float32 or float64");
        (Count, Height, Width) = ((int)dims[0], (int)dims[1], (int)dims[2]);
        DataDtype = _data.Type.Size == 4 ? "float32" : "float64";
        if (!file.LinkExists("info"))
            throw new DataFileException(path, "no pandas frame 'info' (expected the columns ID_shower, E0, theta0, Nmuons, Y_class)");
        Info = ReadFrame(path, file.Group("info"));
        if (!Info.TryGetValue(LabelColumn, out var labels))
            throw new DataFileException(path, $"the frame 'info' has no column '{LabelColumn}' (it has {string.Join(", ", Info.Keys)})");
        if (labels.Length != Count)
            throw new DataFileException(path, $"'data' holds {Count} images but 'info' has {labels.Length} rows; they must match");
        Labels = new byte[Count];
        for (var i = 0; i < Count; i++)
        {
            Labels[i] = labels[i] switch
            {
                0.0 => 0,
                1.0 => 1,
                var other => throw new DataFileException(path, $"{LabelColumn} of row {i} is {other}; labels must be 0 (iron) or 1 (proton)"),
            };
        }
    }

    public string Path { get; }

    public int Count { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary><c>float32</c> or <c>float64</c>, as stored.</summary>
    public string DataDtype { get; }

    /// <summary>The frame's columns, in file order, as doubles.</summary>
    public IReadOnlyDictionary<string, double[]> Info { get; }

    public byte[] Labels { get; }

    public static SwgoFile Open(string path)
    {
        if (!File.Exists(path)) throw new DataFileException(path, "no such file");
        NativeFile file;
        try
        {
            file = H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataFileException(path, $"not a readable HDF5 file ({e.Message})");
        }
        try
        {
            return new SwgoFile(path, file);
        }
        catch (DataFileException)
        {
            file.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            file.Dispose();
            throw new DataFileException(path, $"cannot be read as a SWGO file ({e.Message})");
        }
    }

    /// <summary>
    /// Reads the images in blocks of whole samples, each as float32 or float64 as stored; exactly one of the
    /// two spans is non-empty. <paramref name="onBlock"/> gets the index of the block's first sample.
    /// </summary>
    public void ReadImages(int samplesPerBlock, Action<int, ReadOnlySpan<float>, ReadOnlySpan<double>> onBlock)
    {
        for (var first = 0; first < Count; first += samplesPerBlock)
        {
            var count = Math.Min(samplesPerBlock, Count - first);
            var selection = new HyperslabSelection(rank: 3, starts: [(ulong)first, 0, 0], blocks: [(ulong)count, (ulong)Height, (ulong)Width]);
            try
            {
                if (DataDtype == "float32") onBlock(first, EnsureFinite(first, _data.Read<float[]>(fileSelection: selection)), []);
                else onBlock(first, [], EnsureFinite(first, _data.Read<double[]>(fileSelection: selection)));
            }
            catch (Exception e) when (e is not (DataFileException or OutOfMemoryException))
            {
                throw new DataFileException(Path, $"images {first}..{first + count - 1} cannot be read ({e.Message})");
            }
        }
    }

    public void Dispose() => _file.Dispose();

    private T[] EnsureFinite<T>(int firstSample, T[] block) where T : IFloatingPointIeee754<T>
    {
        var bad = Array.FindIndex(block, v => !T.IsFinite(v));
        if (bad < 0) return block;
        var pixels = Height * Width;
        var (row, col) = Math.DivRem(bad % pixels, Width);
        throw new DataFileException(Path, $"image {firstSample + bad / pixels} holds {block[bad]} at row {row}, column {col}; every value must be finite");
    }

    private static Dictionary<string, double[]> ReadFrame(string path, IH5Group info)
    {
        var pandasType = info.AttributeExists("pandas_type") ? info.Attribute("pandas_type").Read<string>() : null;
        return pandasType switch
        {
            "frame" => ReadFixedFrame(info),
            "frame_table" => ReadTableFrame(path, info),
            _ => throw new DataFileException(path, $"'info' is not a pandas frame (pandas_type is {pandasType ?? "missing"}; expected frame or frame_table)"),
        };
    }

    /// <summary>pandas' fixed layout: blockK_items names the columns of blockK_values (rows x columns).</summary>
    private static Dictionary<string, double[]> ReadFixedFrame(IH5Group info)
    {
        var columns = new Dictionary<string, double[]>();
        for (var k = 0; info.LinkExists($"block{k}_items"); k++)
        {
            var names = info.Dataset($"block{k}_items").Read<string[]>();
            var block = info.Dataset($"block{k}_values");
            var values = ReadNumbers(block, (block.Type.Class, (int)block.Type.Size));
            var rows = values.Length / Math.Max(1, names.Length);
            for (var c = 0; c < names.Length; c++)
            {
                var column = new double[rows];
                for (var r = 0; r < rows; r++) column[r] = values[r * names.Length + c];
                columns[names[c]] = column;
            }
        }
        return columns;
    }

    /// <summary>
    /// pandas' table layout: a compound dataset (index, values_block_0, ...) whose blocks' column names are
    /// pickled lists in the attributes values_block_K_kind, and their element types in values_block_K_dtype.
    /// </summary>
    private static Dictionary<string, double[]> ReadTableFrame(string path, IH5Group info)
    {
        if (!info.LinkExists("table")) throw new DataFileException(path, "'info' is a pandas table without its dataset 'table'");
        var table = info.Dataset("table");
        var rowSize = (int)table.Type.Size;
        var raw = table.Read<byte[]>();
        var rows = raw.Length / rowSize;
        var columns = new Dictionary<string, double[]>();
        foreach (var member in table.Type.Compound.Members.Where(m => m.Name.StartsWith("values_block_", StringComparison.Ordinal)))
        {
            var names = PickledNames().Matches(table.Attribute($"{member.Name}_kind").Read<string>()).Select(m => m.Groups[1].Value).ToArray();
            var dtype = table.Attribute($"{member.Name}_dtype").Read<string>();
            var width = (int)member.Type.Size / Math.Max(1, names.Length);
            for (var c = 0; c < names.Length; c++)
            {
                var column = new double[rows];
                for (var r = 0; r < rows; r++)
                    column[r] = Decode(raw.AsSpan(r * rowSize + (int)member.Offset + c * width, width), dtype, path);
                columns[names[c]] = column;
            }
        }
        return columns;
    }

    private static double Decode(ReadOnlySpan<byte> bytes, string dtype, string path) => dtype switch
    {
        "float32" => BitConverter.ToSingle(bytes),
        "float64" => BitConverter.ToDouble(bytes),
        "int64" => BitConverter.ToInt64(bytes),
        "int32" => BitConverter.ToInt32(bytes),
        "bool" => bytes[0],
        _ => throw new DataFileException(path, $"'info' has a column block of type {dtype}; expected numbers"),
    };

    private static double[] ReadNumbers(IH5Dataset dataset, (H5DataTypeClass, int) type) => type switch
    {
        (H5DataTypeClass.FloatingPoint, 4) => Array.ConvertAll(dataset.Read<float[]>(), v => (double)v),
        (H5DataTypeClass.FloatingPoint, 8) => dataset.Read<double[]>(),
        (H5DataTypeClass.FixedPoint, 8) => Array.ConvertAll(dataset.Read<long[]>(), v => (double)v),
        (H5DataTypeClass.FixedPoint, 4) => Array.ConvertAll(dataset.Read<int[]>(), v => (double)v),
        (H5DataTypeClass.FixedPoint, 1) or (H5DataTypeClass.Enumerated, 1) => Array.ConvertAll(dataset.Read<byte[]>(), v => (double)v),
        _ => throw new InvalidDataException($"a frame block of {type.Item1} values of {type.Item2} bytes"),
    };

    // Each name in a protocol-0 pickled list follows a 'V' (unicode) opcode, up to the end of its line.
    [GeneratedRegex(@"(?:^|\n)a?V([^\n]*)")]
    private static partial Regex PickledNames();
}
