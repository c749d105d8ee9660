namespace SweepCluster.Core.Spec;

/// <summary>Suggests the known name nearest to a misspelt one (<c>num_trails</c> -> <c>num_trials</c>).</summary>
public static class KeyHints
{
    /// <summary>"; did you mean 'x'?" when a known name is close enough, else the empty string.</summary>
    public static string DidYouMean(string given, IEnumerable<string> known)
    {
        var best = known
            .Select(k => (Key: k, Distance: Levenshtein(given.ToLowerInvariant(), k.ToLowerInvariant())))
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        var tolerance = Math.Max(2, given.Length / 3);
        return best.Key is not null && best.Distance <= tolerance ? $"; did you mean '{best.Key}'?" : "";
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
