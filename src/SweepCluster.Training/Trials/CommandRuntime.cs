using System.Collections.Concurrent;
using System.Diagnostics;
using SweepCluster.Core.Spec;
using SweepCluster.Core.Trials;

namespace SweepCluster.Training.Trials;

/// <summary>
/// What a program of the user's ran under, for its trial's lineage: the interpreter and its version (<c>Python 3.11.2</c>) for a
/// script run by one, else the program's name; asked once per worker process and interpreter.
/// </summary>
internal static class CommandRuntime
{
    public static readonly string DotNet = $".NET {Environment.Version}";

    private static readonly string[] Interpreters = ["python3", "python", "Rscript", "julia", "node", "ruby", "perl"];
    private static readonly ConcurrentDictionary<string, string> Versions = new();

    public static string? Of(CommandJob command)
    {
        if (CommandWords.Split(command.Commands[^1], out _) is not [var first, ..] words) return null;
        var program = words is [var script] && script.EndsWith(".py", StringComparison.Ordinal) ? "python3" : first;
        return Interpreters.Contains(Path.GetFileName(program)) ? Versions.GetOrAdd(program, VersionOf) : Path.GetFileName(program);
    }

    /// <summary>The first line <c>PROGRAM --version</c> prints (Python 2 printed it on stderr), or the name when it says none within 5 s.</summary>
    private static string VersionOf(string program)
    {
        try
        {
            var start = new ProcessStartInfo(program, "--version") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
                return program;
            }
            var line = (output.Result.Trim().Length > 0 ? output.Result : error.Result).Trim().Split('\n')[0].Trim();
            return line.Length is > 0 and <= 200 ? line : program;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return program;
        }
    }
}
