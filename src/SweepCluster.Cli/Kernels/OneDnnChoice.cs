using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using SweepCluster.Core.Files;
using SweepCluster.Training.Data;
using SweepCluster.Training.Trainers;

namespace SweepCluster.Cli.Kernels;

/// <summary>What a check of oneDNN's kernels up to one instruction set said: exact, not exact, or not known (the check did not run).</summary>
public sealed record KernelCheck(bool? Exact, string Said);

/// <summary>
/// Which oneDNN kernels a machine's CPU training uses. Training starts capped at SSE4.1, which is exact everywhere but about
/// four times slower on a realistic convnet than AVX2. Once per machine (CPU and libtorch), the widest kernels are checked
/// in a child process, since oneDNN reads its limit once per process; the first that trains exactly is used, and the
/// verdict is kept in the user's cache folder. A user's <c>DNNL_MAX_CPU_ISA</c> is always kept.
/// </summary>
public sealed class OneDnnChoice(string cacheFolder, string machine, Func<string, KernelCheck> check)
{
    /// <summary>Tried widest first: oneDNN's own choice, then AVX2; <see cref="OneDnnKernels.Cap"/> when neither is exact.</summary>
    public static readonly IReadOnlyList<string> Candidates = ["ALL", "AVX2"];

    /// <summary>The kernels to use and, when they were checked just now, what to tell the user.</summary>
    public (string Isa, string? Said) Choose()
    {
        var kept = Path.Combine(cacheFolder, $"onednn-{machine}");
        if (Read(kept) is { } known) return (known, null);
        var faults = new List<string>();
        foreach (var isa in Candidates)
        {
            var result = check(isa);
            if (result.Exact is null) return (OneDnnKernels.Cap, $"oneDNN stays capped at {OneDnnKernels.Cap}: its wider kernels could not be checked ({result.Said})");
            if (result.Exact is true)
            {
                Keep(kept, isa);
                return (isa, $"oneDNN uses kernels up to {isa}: they train exactly on this machine (checked once, kept in {kept})");
            }
            faults.Add($"{isa}: {result.Said}");
        }
        Keep(kept, OneDnnKernels.Cap);
        return (OneDnnKernels.Cap, $"oneDNN is capped at {OneDnnKernels.Cap}: its wider kernels do not train exactly on this machine ({string.Join("; ", faults)}); "
            + $"checked once, kept in {kept}; {OneDnnKernels.Variable} overrides");
    }

    private static string? Read(string file)
    {
        try
        {
            return File.Exists(file) && File.ReadAllText(file).Trim() is var isa && (Candidates.Contains(isa) || isa == OneDnnKernels.Cap) ? isa : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void Keep(string file, string isa)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            AtomicFile.WriteAllText(file, isa + "\n"); // nodes starting together on one machine check and keep it at once
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // checked again next time
        }
    }

    /// <summary>
    /// Chooses for this process, before it trains: on Linux (where oneDNN runs the CPU convolutions here) and unless the user
    /// set <c>DNNL_MAX_CPU_ISA</c>. Says the verdict on <paramref name="log"/> when it was checked just now.
    /// </summary>
    public static void Apply(TextWriter log)
    {
        if (!OperatingSystem.IsLinux() || OneDnnKernels.UserSetting is not null) return;
        var (isa, said) = new OneDnnChoice(SyntheticShowers.CacheRoot(), MachineKey(), CheckInChild).Choose();
        if (isa != OneDnnKernels.Cap) OneDnnKernels.Allow(isa);
        if (said is not null) log.WriteLine($"sweepctl: {said}");
    }

    /// <summary>The CPU as the kernel describes it (model and instruction-set flags) and the libtorch build: a verdict holds for these.</summary>
    private static string MachineKey()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? string.Join("\n", File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).Where(l => l.StartsWith("model name", StringComparison.Ordinal) || l.StartsWith("flags", StringComparison.Ordinal)))
            : "";
        var torch = typeof(TorchSharp.torch).Assembly.GetName().Version;
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{cpu}\n{torch}")))[..16].ToLowerInvariant();
    }

    /// <summary>Runs <c>sweepctl onednn check --isa ISA</c>, this program's own check, in a process of its own.</summary>
    private static KernelCheck CheckInChild(string isa)
    {
        var folder = Path.GetDirectoryName(typeof(OneDnnChoice).Assembly.Location)!;
        var apphost = Path.Combine(folder, "sweepctl");
        // A parent run by the dotnet host (dotnet sweepctl.dll, or a test) starts the child the same way: the apphost might not find the runtime.
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : null;
        var viaApphost = dotnet is null && File.Exists(apphost);
        var start = new ProcessStartInfo(viaApphost ? apphost : dotnet ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (!viaApphost) start.ArgumentList.Add(Path.Combine(folder, "sweepctl.dll"));
        foreach (var word in (string[])["onednn", "check", "--isa", isa]) start.ArgumentList.Add(word);
        try
        {
            using var child = Process.Start(start)!;
            // Both read in the background: a blocking read would outwait the time limit of a child that hangs.
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            if (!child.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                child.Kill(entireProcessTree: true);
                return new KernelCheck(null, "the check took over 3 minutes");
            }
            var said = stdout.Result.Trim();
            return child.ExitCode switch
            {
                ExitCodes.Ok => new KernelCheck(true, said),
                ExitCodes.Failed => new KernelCheck(false, said.Split(": ", 2) is [_, var why] ? why : said),
                _ => new KernelCheck(null, $"the check exited with {child.ExitCode}: {stderr.Result.Trim()}"),
            };
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return new KernelCheck(null, e.Message);
        }
    }
}
