using System.Collections.Immutable;
using SweepCluster.Core.Models;

namespace SweepCluster.Core.Tests;

public class ModelRegistryStateTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static ModelRegistryState WithVersions(string name, int count)
    {
        var state = new ModelRegistryState();
        for (var v = 1; v <= count; v++)
            state.Apply(new ModelVersionRegistered(name, state.NextVersion(name), "ab12cd34", v, "node", $"{name}/t{v}", [], "test_f1",
                ImmutableSortedDictionary<string, double>.Empty, "", At));
        return state;
    }

    private static void Promote(ModelRegistryState state, string name, int version, ModelStage stage)
    {
        var (events, problem) = state.Promote(name, version, stage, At);
        Assert.That(problem, Is.Null);
        foreach (var e in events) state.Apply(e);
    }

    [Test]
    public void Staging_and_production_hold_one_version_each_and_the_one_before_is_archived()
    {
        var state = WithVersions("showers", 3);
        Promote(state, "showers", 1, ModelStage.Production);
        Promote(state, "showers", 2, ModelStage.Staging);
        Promote(state, "showers", 3, ModelStage.Production);
        Assert.That(state.Versions("showers").Select(v => v.Stage), Is.EqualTo(new[] { ModelStage.Archived, ModelStage.Staging, ModelStage.Production }));
        Assert.That(state.Promote("showers", 3, ModelStage.Production, At).Events, Is.Empty, "already there: nothing to record");
    }

    [TestCase("showers", 3)]
    [TestCase("showers:2", 2)]
    [TestCase("showers@production", 1)]
    public void A_reference_names_the_latest_a_numbered_or_a_staged_version(string reference, int version)
    {
        var state = WithVersions("showers", 3);
        Promote(state, "showers", 1, ModelStage.Production);
        Assert.That(state.Resolve(reference).Version!.Version, Is.EqualTo(version));
    }

    [TestCase("showers:4", "showers has no version 4 (it has 1 to 3)")]
    [TestCase("showers@staging", "no version of showers is in staging")]
    [TestCase("showers@2", "after @ comes a stage")]
    [TestCase("showers:0", "after : comes a version, a whole number from 1")]
    [TestCase("rain", "no model is called 'rain'")]
    [TestCase("../etc", "is not a model name")]
    [TestCase("", "is not a model name")]
    public void A_reference_that_names_nothing_says_why(string reference, string problem)
    {
        var state = WithVersions("showers", 3);
        var (version, why) = state.Resolve(reference);
        Assert.That(version, Is.Null);
        Assert.That(why, Does.Contain(problem));
    }

    [Test]
    public void Versions_number_per_model_from_one()
    {
        var state = WithVersions("showers", 2);
        Assert.That(state.NextVersion("showers"), Is.EqualTo(3));
        Assert.That(state.NextVersion("other"), Is.EqualTo(1));
        Assert.That(state.Promote("other", 1, ModelStage.Production, At).Problem, Does.Contain("no model is called 'other'"));
    }
}
