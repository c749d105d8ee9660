using Akka.Configuration;
using Akka.TestKit;

namespace SweepCluster.Cluster.Tests;

/// <summary>Akka.TestKit's assertions as NUnit assertions (the NUnit adapter package is not served here).</summary>
internal sealed class NUnitAssertions : ITestKitAssertions
{
    public void Fail(string format = "", params object[] args) => Assert.Fail(string.Format(format, args));

    public void AssertTrue(bool condition, string format = "", params object[] args) => Assert.That(condition, Is.True, string.Format(format, args));

    public void AssertFalse(bool condition, string format = "", params object[] args) => Assert.That(condition, Is.False, string.Format(format, args));

    public void AssertEqual<T>(T expected, T actual, string format = "", params object[] args) =>
        Assert.That(actual, Is.EqualTo(expected), string.Format(format, args));

    public void AssertEqual<T>(T expected, T actual, Func<T, T, bool> comparer, string format = "", params object[] args) =>
        Assert.That(comparer(expected, actual), Is.True, string.Format(format, args));

    public Exception AssertThrows(Action action) => Assert.Throws<Exception>(() => action())!;

    public TException AssertThrows<TException>(Action action) where TException : Exception => Assert.Throws<TException>(() => action())!;

    public async Task<Exception> AssertThrowsAsync(Func<Task> function)
    {
        try
        {
            await function();
        }
        catch (Exception e)
        {
            return e;
        }
        Assert.Fail("expected an exception");
        return null!;
    }

    public async Task<TException> AssertThrowsAsync<TException>(Func<Task> function) where TException : Exception =>
        (TException)await AssertThrowsAsync(function);
}

/// <summary>
/// A fresh actor system per test, on the cluster provider (the worker reads its node address), journalling in memory.
/// Messages are not serialized locally: Akka's in-memory journal wraps events in its own Newtonsoft-serialized envelopes,
/// which cannot hold immutable collections; <see cref="SerializerTests"/> round-trips an example of every message type instead.
/// </summary>
/// NUnit records a failed Assert.That even when caught, so wait with AwaitCondition (a predicate), never AwaitAssert.
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public abstract class ActorTest() : TestKitBase(new NUnitAssertions(), TestConfig, "sweep")
{
    private static readonly Config TestConfig = ConfigurationFactory.ParseString($$"""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.actor.serializers.sweep-json = "{{typeof(Serialization.SweepMessageSerializer).AssemblyQualifiedName}}"
        akka.actor.serialization-bindings { "{{typeof(Serialization.ISweepMessage).AssemblyQualifiedName}}" = sweep-json }
        akka.actor.serialization-identifiers { "{{typeof(Serialization.SweepMessageSerializer).AssemblyQualifiedName}}" = {{Serialization.SweepMessageSerializer.Id}} }
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);

    /// <summary>What the workers under test run: stand-ins for a node's trainers.</summary>
    protected static readonly Core.Trials.ITrialRunner Runner = new StandInRunner();

    [TearDown]
    public void ShutdownSystem() => Shutdown();
}

/// <summary>A clock that stands still until a test moves it on.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan time) => _now += time;
}
