using SweepCluster.Cluster.Code;
using SweepCluster.Core.Code;
using SweepCluster.Core.Files;
using SweepCluster.Core.Results;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// Where <c>sweepctl train --from</c> finds the code a trial of the user's program ran: the folder <c>--code</c> names; else the
/// node's own copy of the trial's package (<c>STORE/code/HASH</c>, beside <c>STORE/runs</c>); else the folder the sweep was
/// submitted from, as long as it still packs to the same hash. A changed folder is never run silently as the trial's code.
/// </summary>
internal static class TrialCode
{
    /// <summary>The folder to run the program in; null when there is none to trust (said on <paramref name="error"/>).</summary>
    public static string? Locate(string trialFolder, TrialProgram program, string? given, TextWriter error)
    {
        if (given is not null)
        {
            var folder = Path.GetFullPath(given);
            if (!Directory.Exists(folder))
            {
                error.WriteLine($"sweepctl train: --code {given}: no such folder");
                return null;
            }
            if (program.Code is { } ran && HashOf(folder, error) is { } now && now != ran)
                error.WriteLine($"note: the code in {folder} differs from what the trial ran (package {HashText.Short(now)}, the trial's {HashText.Short(ran)}): it runs as it is now");
            return folder;
        }
        if (program.Code is { } package && StoredCopy(trialFolder, package, error) is { } stored) return stored;
        if (!Directory.Exists(program.CodeFolder))
        {
            error.WriteLine($"sweepctl train: the trial's code{Package(program)} is neither in the node's store beside its run folder nor at {program.CodeFolder}, "
                + "where its sweep came from: give --code DIR, a folder with the trial's code");
            return null;
        }
        if (program.Code is null || HashOf(program.CodeFolder, error) is not { } current || current == program.Code) return program.CodeFolder;
        error.WriteLine($"sweepctl train: {program.CodeFolder} has changed since the trial ran (it packs to {HashText.Short(current)}, the trial ran {HashText.Short(program.Code)}): "
            + $"give --code DIR with the trial's code, or --code {program.CodeFolder} to run it as it is now");
        return null;
    }

    private static string Package(TrialProgram program) => program.Code is { } hash ? $" (package {HashText.Short(hash)})" : "";

    /// <summary>
    /// The package as the node that ran the trial keeps it: unpacked by its worker, or the zip its coordinator received (then
    /// unpacked there, its hash checked, as a worker would).
    /// </summary>
    private static string? StoredCopy(string trialFolder, string hash, TextWriter error)
    {
        if (!CodeStore.IsHash(hash)) return null;
        var runs = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(trialFolder)));
        if (runs is null) return null;
        var store = CodeStore.FolderBeside(runs);
        var unpacked = Path.Combine(store, hash);
        if (Directory.Exists(unpacked)) return unpacked;
        var zipFile = CodeStore.PackageFile(store, hash);
        if (!File.Exists(zipFile)) return null;
        try
        {
            var zip = File.ReadAllBytes(zipFile);
            if (CodePackage.HashOf(zip) != hash)
            {
                error.WriteLine($"note: {zipFile} is damaged (its hash differs), and is not used");
                return null;
            }
            CodePackage.Unpack(zip, unpacked);
            return unpacked;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CodePackageException or InvalidDataException)
        {
            error.WriteLine($"note: {zipFile} cannot be unpacked: {e.Message}");
            return null;
        }
    }

    private static string? HashOf(string folder, TextWriter error)
    {
        try
        {
            return CodePackage.Pack(folder).Hash;
        }
        catch (Exception e) when (e is CodePackageException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"note: {folder} cannot be compared with the trial's code: {e.Message}");
            return null;
        }
    }
}
