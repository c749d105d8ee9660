namespace SweepCluster.Cli;

/// <summary>sweepctl's exit codes, the same for every command so that scripts can rely on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad usage or invalid input (an experiment file with errors, an unknown switch).</summary>
    public const int InvalidInput = 2;
}
