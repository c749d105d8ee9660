using System.Text.Json;
using SweepCluster.Training.Data;

namespace SweepCluster.Training.Tests;

/// <summary>The reader against files written by h5py and pandas: the committed fixtures and held-out variants.</summary>
[Category(Peers.Category)]
public class SwgoReaderTests
{
    private static readonly string Fixtures = RepoPaths.Fixture("swgo");
    private string _dir = "";

    [OneTimeSetUp]
    public void WriteVariants()
    {
        _dir = Directory.CreateTempSubdirectory("swgo-variants-").FullName;
        Peers.RunPython(VariantScript, _dir);
    }

    [OneTimeTearDown]
    public void RemoveVariants() => Directory.Delete(_dir, recursive: true);

    [TestCase("swgo_fixed_f32.h5")]
    [TestCase("swgo_table_f32.h5")]
    public void Fixture_figures_are_reproduced_exactly(string name)
    {
        using var expectedDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "expected.json")));
        var expected = expectedDoc.RootElement.GetProperty(name);
        var summary = SwgoSummary.Of(Path.Combine(Fixtures, name));
        Assert.Multiple(() =>
        {
            Assert.That(summary.Samples, Is.EqualTo(expected.GetProperty("samples").GetInt32()));
            Assert.That(summary.Height, Is.EqualTo(expected.GetProperty("height").GetInt32()));
            Assert.That(summary.Width, Is.EqualTo(expected.GetProperty("width").GetInt32()));
            Assert.That(summary.DataDtype, Is.EqualTo(expected.GetProperty("data_dtype").GetString()));
            Assert.That(summary.Columns, Is.EqualTo(expected.GetProperty("columns").EnumerateArray().Select(c => c.GetString())));
            Assert.That(summary.ClassCounts["0"], Is.EqualTo(expected.GetProperty("class_counts").GetProperty("0").GetInt32()));
            Assert.That(summary.ClassCounts["1"], Is.EqualTo(expected.GetProperty("class_counts").GetProperty("1").GetInt32()));
            Assert.That(summary.DataSum, Is.EqualTo(expected.GetProperty("data_sum").GetDouble()), "exact, not within a tolerance");
            Assert.That(summary.Sample0Sum, Is.EqualTo(expected.GetProperty("sample0_sum").GetDouble()));
            Assert.That(summary.Sample0Label, Is.EqualTo(expected.GetProperty("sample0_label").GetInt32()));
            Assert.That(summary.LastLabel, Is.EqualTo(expected.GetProperty("last_label").GetInt32()));
            Assert.That(summary.NmuonsSum, Is.EqualTo(expected.GetProperty("nmuons_sum").GetDouble()));
            Assert.That(summary.DataMax, Is.EqualTo(expected.GetProperty("data_max").GetDouble()));
        });
    }

    [TestCase("f64_gzip_shuffle_fixed.h5")]
    [TestCase("f32_table_zlib.h5")]
    [TestCase("f64_fixed_zlib_mixed_dtypes.h5")]
    [TestCase("f32_table_blosc_free_mixed.h5")]
    public void Held_out_variants_match_h5py_and_pandas(string name)
    {
        var path = Path.Combine(_dir, name);
        using var expectedDoc = JsonDocument.Parse(File.ReadAllText(path + ".json"));
        var expected = expectedDoc.RootElement;
        var summary = SwgoSummary.Of(path);
        Assert.That(summary.DataDtype, Is.EqualTo(expected.GetProperty("data_dtype").GetString()));
        Assert.That(summary.Samples, Is.EqualTo(expected.GetProperty("samples").GetInt32()));
        Assert.That(summary.DataSum, Is.EqualTo(expected.GetProperty("data_sum").GetDouble()));
        Assert.That(summary.Sample0Sum, Is.EqualTo(expected.GetProperty("sample0_sum").GetDouble()));
        Assert.That(summary.NmuonsSum, Is.EqualTo(expected.GetProperty("nmuons_sum").GetDouble()));
        Assert.That(summary.ClassCounts["1"], Is.EqualTo(expected.GetProperty("protons").GetInt32()));
        var set = ShowerSet.Load(path);
        Assert.That(set.Labels.Select(l => (int)l), Is.EqualTo(expected.GetProperty("labels").EnumerateArray().Select(l => l.GetInt32())));
        Assert.That(set.Info["E0"][3], Is.EqualTo(expected.GetProperty("e0_3").GetDouble()).Within(1e-9).Percent);
        Assert.That(set.Image(5)[42 * 80 + 17], Is.EqualTo((float)expected.GetProperty("pixel_5_42_17").GetDouble()));
    }

    [TestCase("no_data.h5", "no dataset 'data'")]
    [TestCase("no_info.h5", "no pandas frame 'info'")]
    [TestCase("no_label.h5", "the frame 'info' has no column 'Y_class' (it has ID_shower, E0, theta0, Nmuons)")]
    [TestCase("bad_label.h5", "Y_class of row 2 is 2; labels must be 0 (iron) or 1 (proton)")]
    [TestCase("row_mismatch.h5", "'data' holds 6 images but 'info' has 5 rows; they must match")]
    [TestCase("nan_pixel.h5", "image 4 holds NaN at row 10, column 20; every value must be finite")]
    [TestCase("inf_pixel.h5", "image 1 holds")]
    [TestCase("data_2d.h5", "dataset 'data' has shape (6, 6400); expected N x height x width")]
    [TestCase("not_hdf5.h5", "not a readable HDF5 file")]
    [TestCase("absent.h5", "no such file")]
    public void A_bad_file_is_named_with_what_is_wrong(string name, string expected)
    {
        var path = Path.Combine(_dir, name);
        var error = Assert.Throws<DataFileException>(() => ShowerSet.Load(path))!;
        Assert.That(error.Message, Does.StartWith(path + ": "));
        Assert.That(error.Message, Does.Contain(expected));
    }

    private const string VariantScript = """
        import sys, json, numpy as np, pandas as pd, h5py, math
        out = sys.argv[1]
        def frame(n, rng, y, mixed):
            cols = {"ID_shower": np.arange(n, dtype=np.int64 if mixed else np.float32),
                    "E0": rng.uniform(2000, 70000, n).astype(np.float64 if mixed else np.float32),
                    "theta0": np.zeros(n, dtype=np.float32),
                    "Nmuons": rng.poisson(100, n).astype(np.float32),
                    "Y_class": y.astype(np.float32)}
            return pd.DataFrame(cols)
        def make(name, n, seed, dtype, fmt, compress, mixed):
            rng = np.random.default_rng(seed)
            y = np.array([0.0, 1.0] * (n // 2) + [1.0] * (n % 2)); rng.shuffle(y)
            data = (rng.gamma(0.3, 2.0, (n, 80, 80)) * 10).astype(dtype)
            path = f"{out}/{name}"
            with h5py.File(path, "w") as f:
                if compress: f.create_dataset("data", data=data, compression="gzip", compression_opts=4, shuffle=True, chunks=(4, 80, 80))
                else: f.create_dataset("data", data=data)
            info = frame(n, rng, y, mixed)
            kw = dict(complib="zlib", complevel=5) if compress else {}
            info.to_hdf(path, key="info", mode="a", format=fmt, **kw)
            figures = dict(data_dtype=str(data.dtype), samples=n, data_sum=math.fsum(data.astype(np.float64).ravel()),
                           sample0_sum=math.fsum(data[0].astype(np.float64).ravel()), nmuons_sum=float(info["Nmuons"].sum()),
                           protons=int(y.sum()), labels=[int(v) for v in y], e0_3=float(info["E0"][3]),
                           pixel_5_42_17=float(data[5, 42, 17]))
            json.dump(figures, open(path + ".json", "w"))
        make("f64_gzip_shuffle_fixed.h5", 30, 1, np.float64, "fixed", True, False)
        make("f32_table_zlib.h5", 22, 2, np.float32, "table", True, False)
        make("f64_fixed_zlib_mixed_dtypes.h5", 17, 3, np.float64, "fixed", True, True)
        make("f32_table_blosc_free_mixed.h5", 12, 4, np.float32, "table", False, True)

        def broken(name, n=6, data_shape=None, drop=None, label=None, nan=None, rows=None, write_info=True, write_data=True):
            rng = np.random.default_rng(9)
            y = np.array([0.0, 1.0] * (n // 2))
            path = f"{out}/{name}"
            data = rng.random((n, 80, 80)).astype(np.float32)
            if nan: data[nan[0], nan[1], nan[2]] = nan[3]
            with h5py.File(path, "w") as f:
                if write_data: f.create_dataset("data", data=data.reshape(data_shape) if data_shape else data)
                else: f.create_dataset("images", data=data)
            if write_info:
                info = frame(rows or n, rng, np.resize(y, rows or n), False)
                if drop: info = info.drop(columns=[drop])
                if label is not None: info.loc[2, "Y_class"] = label
                info.to_hdf(path, key="info", mode="a", format="fixed")
        broken("no_data.h5", write_data=False)
        broken("no_info.h5", write_info=False)
        broken("no_label.h5", drop="Y_class")
        broken("bad_label.h5", label=2.0)
        broken("row_mismatch.h5", rows=5)
        broken("nan_pixel.h5", nan=(4, 10, 20, np.nan))
        broken("inf_pixel.h5", nan=(1, 0, 0, np.inf))
        broken("data_2d.h5", data_shape=(6, 6400))
        open(f"{out}/not_hdf5.h5", "w").write("name: not hdf5\n")
        """;
}
