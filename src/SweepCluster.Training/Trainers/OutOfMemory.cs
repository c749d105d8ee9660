namespace SweepCluster.Training.Trainers;

/// <summary>
/// Running out of memory in training: the CLR's own exception, or libtorch's, which its CPU and CUDA allocators throw as
/// an external error whose first line says so and whose remaining lines are C++ frames no user needs.
/// </summary>
public static class OutOfMemory
{
    private static readonly string[] Markers = ["out of memory", "can't allocate memory", "cannot allocate memory"];

    public static bool Is(Exception e) => e is OutOfMemoryException || Markers.Any(m => e.Message.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>The exception's first line, without libtorch's <c>[enforce fail at file:line] condition.</c> prefix.</summary>
    public static string Describe(Exception e)
    {
        var line = e.Message.Split('\n', 2)[0].Trim();
        if (line.StartsWith("[enforce fail", StringComparison.Ordinal) && line.IndexOf("] ", StringComparison.Ordinal) is > 0 and var end)
        {
            line = line[(end + 2)..];
            var condition = line.IndexOf(". ", StringComparison.Ordinal);
            if (condition >= 0) line = line[(condition + 2)..];
        }
        return line;
    }
}
