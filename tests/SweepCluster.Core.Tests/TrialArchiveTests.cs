using System.Collections.Immutable;
using SweepCluster.Core.Results;
using SweepCluster.Core.Sampling;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Sweeps;

namespace SweepCluster.Core.Tests;

public class TrialArchiveTests
{
    private string _folder = null!;

    [SetUp]
    public void MakeFolder() => _folder = Directory.CreateTempSubdirectory("archive-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private static TrialSnapshot Trial(int index, TrialStatus status, double value) => new(index, status, 1, 100 + index,
        new ParamValue.Map([KeyValuePair.Create("lr", (ParamValue)new ParamValue.Real(value)), KeyValuePair.Create("name", (ParamValue)new ParamValue.Text($"trial \"{index}\"\n"))]),
        ImmutableDictionary<string, double>.Empty.Add("value", value), [new EpochPoint(1, 0.5, value, 2)], "node", "cpu", DateTimeOffset.UnixEpoch, 1.5,
        status == TrialStatus.Failed ? "boom" : null, null, status == TrialStatus.Failed ? ["attempt 1: lost"] : []);

    [Test]
    public void A_line_edited_after_it_was_written_is_refused_and_one_without_a_checksum_is_read_as_before()
    {
        long length;
        using (var archive = TrialArchive.InFile(_folder))
        {
            archive.Add(Trial(0, TrialStatus.Completed, 0.2));
            archive.Add(Trial(1, TrialStatus.Completed, 0.3));
            length = archive.Mark()!.Value.Length;
        }
        var path = Path.Combine(_folder, TrialArchive.FileName);
        var lines = File.ReadAllLines(path);
        Assert.That(lines, Has.All.Match(@",""sum"":""[0-9a-f]{16}""}$"));
        using (var reopened = TrialArchive.Reopen(_folder, TrialArchive.FileName, length, _ => { }))
            Assert.That(reopened.Read(1).Metrics["value"], Is.EqualTo(0.3));

        // Valid JSON, a better value: the edit that once became a sweep's best.
        File.WriteAllText(path, lines[0] + "\n" + lines[1].Replace("\"value\":0.3", "\"value\":0.99") + "\n");
        var refused = Assert.Throws<IOException>(() => TrialArchive.Reopen(_folder, TrialArchive.FileName, new FileInfo(path).Length, _ => { }))!;
        Assert.That(refused.Message, Does.Contain("was changed after it was written: its checksum disagrees with it").And.Contain(path));

        // A line of the release before checksums.
        var old = System.Text.RegularExpressions.Regex.Replace(lines[1], @",""sum"":""[0-9a-f]{16}""}$", "}");
        File.WriteAllText(path, lines[0] + "\n" + old + "\n");
        using var before = TrialArchive.Reopen(_folder, TrialArchive.FileName, new FileInfo(path).Length, _ => { });
        Assert.That(before.Read(1).Metrics["value"], Is.EqualTo(0.3));
    }

    [Test]
    public void Trials_come_back_whole_by_index_and_in_the_order_they_ended()
    {
        using var archive = TrialArchive.InFile(_folder);
        int[] order = [3, 0, 7, 1];
        foreach (var index in order) archive.Add(Trial(index, index == 7 ? TrialStatus.Failed : TrialStatus.Completed, index / 10.0));

        Assert.That(archive.ReadAll().Select(t => t.Index), Is.EqualTo(order));
        var seven = archive.Read(7);
        Assert.That((seven.Status, ((ParamValue.Text)seven.Params["name"]!).Value, seven.FailedAttempts.Single(), seven.Epochs.Single().Value),
            Is.EqualTo((TrialStatus.Failed, "trial \"7\"\n", "attempt 1: lost", 0.7)));
        Assert.That(archive.Read(0).Params["lr"], Is.EqualTo(new ParamValue.Real(0.0)), "a real stays a real: 0.0 does not read back as the integer 0");
    }

    [Test]
    public void Reopened_at_a_snapshot_s_mark_it_holds_what_was_there_then_and_takes_the_replayed_trials_after()
    {
        long mark;
        using (var archive = TrialArchive.InFile(_folder))
        {
            archive.Add(Trial(0, TrialStatus.Completed, 0.1));
            archive.Add(Trial(1, TrialStatus.Pruned, 0.2));
            (var file, mark) = archive.Mark()!.Value;
            Assert.That(file, Is.EqualTo(TrialArchive.FileName));
            archive.Add(Trial(2, TrialStatus.Completed, 0.3)); // after the snapshot: its event is replayed
        }
        var restored = new List<int>();
        using (var reopened = TrialArchive.Reopen(_folder, TrialArchive.FileName, mark, t => restored.Add(t.Index)))
        {
            Assert.That(restored, Is.EqualTo(new List<int> { 0, 1 }));
            reopened.Add(Trial(2, TrialStatus.Completed, 0.3));
            Assert.That(reopened.ReadAll().Select(t => t.Index), Is.EqualTo(new[] { 0, 1, 2 }));
            Assert.That(reopened.Read(1).Status, Is.EqualTo(TrialStatus.Pruned));
        }
    }

    [Test]
    public void A_missing_or_short_file_is_refused_with_its_path()
    {
        var missing = Assert.Throws<IOException>(() => TrialArchive.Reopen(_folder, TrialArchive.FileName, 10, _ => { }))!;
        Assert.That(missing.Message, Does.Contain(Path.Combine(_folder, TrialArchive.FileName)).And.Contain("no such file"));
        using (var archive = TrialArchive.InFile(_folder)) archive.Add(Trial(0, TrialStatus.Completed, 0.1));
        var length = new FileInfo(Path.Combine(_folder, TrialArchive.FileName)).Length;
        var shorter = Assert.Throws<IOException>(() => TrialArchive.Reopen(_folder, TrialArchive.FileName, length + 5, _ => { }))!;
        Assert.That(shorter.Message, Does.Contain($"holds {length} bytes where the journal's snapshot recorded {length + 5}"));
    }
}

public class BoundedSampleTests
{
    [Test]
    public void An_even_sample_keeps_everything_up_to_twice_its_capacity_then_an_even_spread_of_all_that_arrived()
    {
        var sample = new EvenSample<int>(100);
        for (var i = 0; i < 200; i++) sample.Add(i);
        Assert.That(sample.Items, Is.EqualTo(Enumerable.Range(0, 200)));
        for (var i = 200; i < 100_000; i++) sample.Add(i);
        Assert.That(sample.Items.Count, Is.InRange(100, 200));
        var gaps = sample.Items.Zip(sample.Items.Skip(1), (a, b) => b - a).Distinct().ToList();
        Assert.That((sample.Items[0], gaps.Count), Is.EqualTo((0, 1)), "evenly spaced from the first");
        Assert.That(sample.Items[^1], Is.GreaterThan(100_000 - gaps[0] - 1), "and reaching the latest arrivals");
    }

    private static FinishedTrial Finished(int index, double? value) => new(index, new ParamValue.Map([]), value);

    [Test]
    public void A_sampler_is_shown_every_result_of_a_short_sweep_and_the_best_the_latest_and_a_spread_of_a_long_one()
    {
        var history = new FinishedHistory(MetricDirection.Minimize);
        for (var i = 0; i < FinishedHistory.KeptWhole; i++) history.Add(Finished(i, i % 7 == 0 ? null : 1000.0 - i));
        Assert.That(history.Shown().Select(t => t.Index), Is.EqualTo(Enumerable.Range(0, FinishedHistory.KeptWhole)));

        // The best (lowest) values are spread over a long sweep: every 1,000th trial is one of them.
        for (var i = FinishedHistory.KeptWhole; i < 100_000; i++) history.Add(Finished(i, i % 1000 == 999 ? -i : i));
        var shown = history.Shown();
        var best = Enumerable.Range(0, 100).Select(k => 1000 * k + 999).Where(i => i >= FinishedHistory.KeptWhole).OrderByDescending(i => i).Take(FinishedHistory.BestKept);
        Assert.That(shown.Count, Is.LessThan(2 * FinishedHistory.KeptWhole));
        Assert.That(shown.Select(t => t.Index), Is.Ordered, "in the order they finished");
        Assert.That(shown.Select(t => t.Index), Is.SupersetOf(best), "the best kept");
        Assert.That(shown.Select(t => t.Index), Is.SupersetOf(Enumerable.Range(100_000 - FinishedHistory.RecentKept, FinishedHistory.RecentKept)), "the latest kept");
        Assert.That(shown.Count(t => t.Index < 50_000), Is.GreaterThan(FinishedHistory.KeptWhole / 4), "and the first half of the sweep still seen");
    }
}
