namespace SweepCluster.Core.Spec;

/// <summary>One problem in an experiment file, located so that an editor can jump to it.</summary>
public sealed record SpecError(string File, int Line, int Column, string KeyPath, string Message)
{
    public override string ToString() =>
        KeyPath.Length == 0 ? $"{Message} at {File}:{Line}:{Column}" : $"{KeyPath}: {Message} at {File}:{Line}:{Column}";
}
