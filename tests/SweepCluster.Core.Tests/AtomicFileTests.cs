using SweepCluster.Core.Files;

namespace SweepCluster.Core.Tests;

public class AtomicFileTests
{
    [Test]
    public void A_file_is_written_then_replaced_whole_and_a_draft_left_by_a_crash_is_no_obstacle()
    {
        var folder = Directory.CreateTempSubdirectory("atomic-file-").FullName;
        try
        {
            var path = Path.Combine(folder, "trial.json");
            AtomicFile.WriteAllText(path, "{\"status\": \"running\", \"epochs\": [1, 2, 3]}");
            File.WriteAllText(path + ".tmp", "half a fi"); // a process died while writing
            AtomicFile.WriteAllText(path, "{}");
            Assert.That(File.ReadAllText(path), Is.EqualTo("{}"), "the shorter content replaces the longer, with nothing of it left");
            Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName), Is.EqualTo(new[] { "trial.json" }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
