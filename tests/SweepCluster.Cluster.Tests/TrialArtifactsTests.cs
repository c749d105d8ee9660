using SweepCluster.Cluster.Worker;

namespace SweepCluster.Cluster.Tests;

public class TrialArtifactsTests
{
    private string _runs = null!;

    [SetUp]
    public void MakeRuns()
    {
        _runs = Directory.CreateTempSubdirectory("artifacts-test-").FullName;
        var trial = Directory.CreateDirectory(Path.Combine(_runs, "sleepy-ab12cd34", "trial-0003", "plots")).Parent!.FullName;
        File.WriteAllText(Path.Combine(trial, "trial.json"), "{}");
        File.WriteAllBytes(Path.Combine(trial, "plots", "curve.png"), [.. Enumerable.Range(0, ReadArtifact.ChunkBytes + 10).Select(i => (byte)i)]);
        File.WriteAllText(Path.Combine(_runs, "secret.txt"), "not a trial's");
    }

    [TearDown]
    public void RemoveRuns() => Directory.Delete(_runs, recursive: true);

    [Test]
    public void A_trial_folder_lists_its_files_and_reads_them_in_chunks()
    {
        var artifacts = new TrialArtifacts(_runs);
        var listed = artifacts.List("sleepy-ab12cd34/trial-0003");
        Assert.That(listed.Error, Is.Null);
        Assert.That(listed.Files, Is.EqualTo(new[] { new ArtifactFile("plots/curve.png", ReadArtifact.ChunkBytes + 10), new ArtifactFile("trial.json", 2) }));
        var first = artifacts.Read(new ReadArtifact("sleepy-ab12cd34/trial-0003", "plots/curve.png", 0));
        var second = artifacts.Read(new ReadArtifact("sleepy-ab12cd34/trial-0003", "plots/curve.png", first.Data.Length));
        Assert.That((first.Data.Length, first.End, second.Data.Length, second.End), Is.EqualTo((ReadArtifact.ChunkBytes, false, 10, true)));
        Assert.That(second.Data[0], Is.EqualTo((byte)(ReadArtifact.ChunkBytes % 256)));
    }

    [TestCase("..", "secret.txt")]
    [TestCase("sleepy-ab12cd34/trial-0003", "../../secret.txt")]
    [TestCase("sleepy-ab12cd34/trial-0003", "/etc/passwd")]
    [TestCase("sleepy-ab12cd34", "../secret.txt")]
    [TestCase("/etc", "passwd")]
    public void No_file_outside_a_trial_folder_is_read(string folder, string file)
    {
        var read = new TrialArtifacts(_runs).Read(new ReadArtifact(folder, file, 0));
        Assert.That((read.Data.Length, read.Error), Is.EqualTo((0, $"'{folder}/{file}' is not a file of a trial folder")));
    }

    [TestCase("..")]
    [TestCase("sleepy-ab12cd34")]
    [TestCase("sleepy-ab12cd34/trial-0003/../../..")]
    [TestCase("/etc")]
    public void No_folder_but_a_trial_folder_is_listed(string folder)
    {
        var listed = new TrialArtifacts(_runs).List(folder);
        Assert.That((listed.Files.Length, listed.Error), Is.EqualTo((0, $"'{folder}' is not a trial folder (name-id/trial-NNNN)")));
    }
}

/// <summary>A trial's program may leave links in its folder; they are neither listed nor read, wherever they point.</summary>
public class TrialArtifactLinkTests
{
    [Test]
    public void Links_in_a_trial_folder_are_not_served()
    {
        var runs = Directory.CreateTempSubdirectory("artifacts-links-").FullName;
        try
        {
            var trial = Directory.CreateDirectory(Path.Combine(runs, "mine-ab12cd34", "trial-0000")).FullName;
            File.WriteAllText(Path.Combine(trial, "result.txt"), "mine");
            File.WriteAllText(Path.Combine(runs, "secret.txt"), "not a trial's");
            File.CreateSymbolicLink(Path.Combine(trial, "passwd"), "/etc/passwd");
            Directory.CreateSymbolicLink(Path.Combine(trial, "up"), runs);
            var artifacts = new TrialArtifacts(runs);
            Assert.That(artifacts.List("mine-ab12cd34/trial-0000").Files.Select(f => f.Path), Is.EqualTo(new[] { "result.txt" }));
            foreach (var file in new[] { "passwd", "up/secret.txt" })
                Assert.That(artifacts.Read(new ReadArtifact("mine-ab12cd34/trial-0000", file, 0)).Error, Does.Contain("is not a file of a trial folder"), file);
            Assert.That(artifacts.Read(new ReadArtifact("mine-ab12cd34/trial-0000", "result.txt", 0)).Data, Is.EqualTo("mine"u8.ToArray()));
        }
        finally
        {
            Directory.Delete(runs, recursive: true);
        }
    }
}
