using System.Diagnostics;

namespace SweepCluster.Cli.Tests;

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Text a command writes from its threads while a test reads it.</summary>
internal sealed class LiveText
{
    private readonly StringWriter _text = new();

    public LiveText() => Writer = TextWriter.Synchronized(_text);

    public TextWriter Writer { get; }

    /// <summary>Read under the writer's own lock (a synchronized writer locks itself).</summary>
    public string Text
    {
        get
        {
            lock (Writer) return _text.ToString();
        }
    }
}

/// <summary>Runs sweepctl in-process (fast) or as a real process (what a user's shell sees).</summary>
internal static class CliRunner
{
    public static string Experiment(string name) => RepoPaths.Experiment(name);

    public static CliResult Run(params string[] args) => Run(new LiveText(), args);

    /// <param name="stderr">Where sweepctl writes its notes, for a test to read while the command runs.</param>
    public static CliResult Run(LiveText stderr, params string[] args)
    {
        var stdout = new StringWriter();
        var code = SweepCtl.Run(args, stdout, stderr.Writer);
        return new CliResult(code, stdout.ToString(), stderr.Text);
    }

    public static CliResult RunProcess(params string[] args) => RunProcess(new Dictionary<string, string>(), TimeSpan.FromSeconds(60), null, args);

    public static CliResult RunProcess(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, string? input, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "sweepctl.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        if (input is not null) process.StandardInput.Write(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"sweepctl did not exit within {timeout}");
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static string TempFile(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sweepctl-test-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, content);
        return path;
    }
}
