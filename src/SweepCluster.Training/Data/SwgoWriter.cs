using PureHDF;

namespace SweepCluster.Training.Data;

/// <summary>
/// Writes a <see cref="ShowerSet"/> in the layout of the SWGO simulation files: dataset <c>data</c> (N x H x W,
/// float32, as h5py writes it) and the frame <c>info</c> in pandas' fixed layout with pandas' attributes, its
/// columns stored as one float32 block like the real files.
/// </summary>
/// <remarks>
/// PureHDF writes the column names as variable-length strings, where pandas writes fixed-length ones: h5py and
/// this project's reader read them, PyTables (pandas.read_hdf) does not.
/// </remarks>
public static class SwgoWriter
{
    public static void Write(string path, ShowerSet set)
    {
        var names = set.Info.Keys.ToArray();
        var values = new float[set.Count * names.Length];
        for (var c = 0; c < names.Length; c++)
        {
            var column = set.Info[names[c]];
            for (var r = 0; r < set.Count; r++) values[r * names.Length + c] = (float)column[r];
        }
        var file = new H5File
        {
            ["data"] = new H5Dataset(set.Pixels, fileDims: [(ulong)set.Count, (ulong)set.Height, (ulong)set.Width]),
            ["info"] = new H5Group
            {
                ["axis0"] = PandasArray(names, "string"),
                ["axis1"] = PandasArray(Enumerable.Range(0, set.Count).Select(i => (long)i).ToArray(), "integer"),
                ["block0_items"] = PandasArray(names, "string"),
                ["block0_values"] = PandasArray(values, kind: null, [(ulong)set.Count, (ulong)names.Length]),
                Attributes = new()
                {
                    ["CLASS"] = "GROUP", ["TITLE"] = "", ["VERSION"] = "1.0",
                    ["pandas_type"] = "frame", ["pandas_version"] = "0.15.2", ["encoding"] = "UTF-8", ["errors"] = "strict",
                    ["ndim"] = 2L, ["nblocks"] = 1L,
                    ["axis0_variety"] = "regular", ["axis1_variety"] = "regular", ["block0_items_variety"] = "regular",
                },
            },
        };
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        // Written beside the target and renamed, so that a reader never sees half a file.
        var partial = path + ".partial";
        file.Write(partial);
        File.Move(partial, path, overwrite: true);
    }

    private static H5Dataset PandasArray(object data, string? kind, ulong[]? dims = null)
    {
        var dataset = new H5Dataset(data, fileDims: dims);
        dataset.Attributes["CLASS"] = "ARRAY";
        dataset.Attributes["FLAVOR"] = "numpy";
        dataset.Attributes["TITLE"] = "";
        dataset.Attributes["VERSION"] = "2.4";
        dataset.Attributes["transposed"] = 1L;
        if (kind is not null)
        {
            dataset.Attributes["kind"] = kind;
            dataset.Attributes["name"] = "N.";
        }
        return dataset;
    }
}
