using SweepCluster.Core.Files;

namespace SweepCluster.Core.Tests;

public class DataFingerprintTests
{
    [Test]
    public void The_same_files_give_the_same_fingerprint_and_one_changed_byte_another()
    {
        var (a, b) = (Directory.CreateTempSubdirectory("fp-a-").FullName, Directory.CreateTempSubdirectory("fp-b-").FullName);
        try
        {
            foreach (var folder in new[] { a, b })
            {
                Directory.CreateDirectory(Path.Combine(folder, "sub"));
                File.WriteAllText(Path.Combine(folder, "Train.h5"), "showers");
                File.WriteAllText(Path.Combine(folder, "sub", "Test.h5"), "more showers");
            }
            var (first, second) = (DataFingerprint.Of(a)!, DataFingerprint.Of(b)!);
            Assert.That((first.Sha256, first.Files, first.Bytes), Is.EqualTo((second.Sha256, 2, 19L)), "where the folder is does not count, what it holds does");
            Assert.That(DataFingerprint.Of(a), Is.SameAs(first), "unchanged files are not read again");
            File.WriteAllText(Path.Combine(b, "sub", "Test.h5"), "more shoWers");
            Assert.That(DataFingerprint.Of(b)!.Sha256, Is.Not.EqualTo(first.Sha256));
            Assert.That(DataFingerprint.Of(Path.Combine(a, "missing")), Is.Null);
        }
        finally
        {
            Directory.Delete(a, recursive: true);
            Directory.Delete(b, recursive: true);
        }
    }
}
