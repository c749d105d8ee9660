namespace SweepCluster.Training.Data;

/// <summary>
/// Writes a <see cref="ShowerSet"/> in the layout of the SWGO simulation files: dataset <c>data</c> (N x H x W,
/// float32, as h5py writes it) and the frame <c>info</c> in pandas' fixed layout with pandas' attributes, its
/// columns stored as one float32 block like the real files, so that <c>pandas.read_hdf(file, "info")</c> opens it.
/// </summary>
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
        var info = new Hdf5Group()
            .Add("axis0", PandasArray(new Hdf5Dataset(names, (ulong)names.Length), "string"))
            .Add("axis1", PandasArray(new Hdf5Dataset(Enumerable.Range(0, set.Count).Select(i => (long)i).ToArray(), (ulong)set.Count), "integer"))
            .Add("block0_items", PandasArray(new Hdf5Dataset(names, (ulong)names.Length), "string"))
            .Add("block0_values", PandasArray(new Hdf5Dataset(values, (ulong)set.Count, (ulong)names.Length), kind: null))
            .Attribute("CLASS", "GROUP").Attribute("TITLE", "").Attribute("VERSION", "1.0")
            .Attribute("pandas_type", "frame").Attribute("pandas_version", "0.15.2")
            .Attribute("encoding", "UTF-8").Attribute("errors", "strict")
            .Attribute("ndim", 2L).Attribute("nblocks", 1L)
            .Attribute("axis0_variety", "regular").Attribute("axis1_variety", "regular").Attribute("block0_items_variety", "regular");
        var root = new Hdf5Group()
            .Add("data", new Hdf5Dataset(set.Pixels, (ulong)set.Count, (ulong)set.Height, (ulong)set.Width))
            .Add("info", info);

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        // Written beside the target and renamed, so that a reader never sees half a file.
        var partial = path + ".partial";
        using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            Hdf5Writer.Write(stream, root);
        File.Move(partial, path, overwrite: true);
    }

    private static Hdf5Dataset PandasArray(Hdf5Dataset dataset, string? kind)
    {
        dataset.Attribute("CLASS", "ARRAY").Attribute("FLAVOR", "numpy").Attribute("TITLE", "").Attribute("VERSION", "2.4")
            .Attribute("transposed", 1L);
        // "N." is None as pandas pickles it: the index has no name.
        if (kind is not null) dataset.Attribute("kind", kind).Attribute("name", "N."u8.ToArray());
        return dataset;
    }
}
