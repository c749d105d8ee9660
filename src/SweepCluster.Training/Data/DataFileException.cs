namespace SweepCluster.Training.Data;

/// <summary>A shower file that cannot be used, with the file named and what is missing or wrong.</summary>
public sealed class DataFileException(string path, string problem) : Exception($"{path}: {problem}")
{
    public string Path { get; } = path;
}
