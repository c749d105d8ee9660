namespace SweepCluster.Training.Trainers;

/// <summary>
/// What a failed trial says: libtorch throws its errors (out of memory among them: its CPU and CUDA allocators) as external
/// errors whose first line says what happened and whose remaining lines are C++ frames no user needs.
/// </summary>
public static class TrainingErrors
{
    private static readonly string[] Markers = ["out of memory", "can't allocate memory", "cannot allocate memory"];

    /// <summary>The CLR's own exception, or libtorch's allocator failures.</summary>
    public static bool IsOutOfMemory(Exception e) => e is OutOfMemoryException || Markers.Any(m => e.Message.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>The exception's first line, without libtorch's <c>[enforce fail at file:line] condition.</c> prefix.</summary>
    public static string FirstLine(Exception e)
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
