namespace SweepCluster.Cli;

/// <summary>sweepctl's exit codes, the same for every command so that scripts can rely on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The work was attempted and failed (a trial diverged, a server refused).</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or invalid input (an experiment file with errors, an unknown switch).</summary>
    public const int InvalidInput = 2;

    /// <summary>The node cannot be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>Stopped by Ctrl-C, as shells count it (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
