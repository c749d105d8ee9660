namespace SweepCluster.Testing;

/// <summary>
/// What a test needs beyond its own process, as NUnit categories: <c>make test-fast</c> leaves these out (and
/// <see cref="Peers.Category"/>), so that it runs without root in about a minute. <c>make test</c> runs everything.
/// </summary>
internal static class TestKinds
{
    /// <summary>Starts processes of its own: nodes, <c>sweepctl</c>, <c>dotnet build</c>.</summary>
    public const string Process = "process";

    /// <summary>Makes test hosts in network namespaces (root).</summary>
    public const string Host = "host";

    /// <summary>Drives Debian's chromium.</summary>
    public const string Browser = "browser";
}
