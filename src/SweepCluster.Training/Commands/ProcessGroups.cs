using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SweepCluster.Training.Commands;

/// <summary>
/// Each command of a trial runs in a session and process group of its own (started through <c>setsid</c>), so that stopping
/// it reaches every process it started. A reaper, a small <c>sh</c> started once per worker process and in a session of its own,
/// reads the groups in use on a pipe from this process: when the pipe closes because this process died, however it died
/// (SIGKILL included), it sends each group SIGTERM and, after the grace, SIGKILL. No trial outlives its worker.
/// </summary>
public static partial class ProcessGroups
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>How long a stopped program may take to exit after SIGTERM before it is killed.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    // '+ PGID' adds a group, '- PGID' removes it; at end of input every group left is stopped. Parameter expansion only: no fork per line.
    private const string ReaperScript = """
        trap '' INT TERM HUP
        groups=' '
        while read -r op g; do
          case "$op" in
            +) groups="$groups$g " ;;
            -) case "$groups" in *" $g "*) groups="${groups%% $g *} ${groups#* $g }" ;; esac ;;
          esac
        done
        [ -z "${groups# }" ] && exit 0
        for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
        sleep "$1"
        for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
        """;

    private static readonly Lock Gate = new();
    private static Process? _reaper;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> to every process of the group; false when none is left.</summary>
    public static bool Signal(int group, int signal) => Kill(-group, signal) == 0;

    /// <summary>The reaper stops the group if this process dies before <see cref="Forget"/>.</summary>
    public static void Watch(int group) => Tell($"+ {group}");

    public static void Forget(int group) => Tell($"- {group}");

    /// <summary>SIGTERM to the group, then SIGKILL to what is left once <paramref name="exited"/> has not come true within the grace.</summary>
    public static void Stop(int group, Func<TimeSpan, bool> exited, TimeSpan grace)
    {
        if (!Signal(group, SigTerm)) return;
        if (!exited(grace)) Signal(group, SigKill);
    }

    private static void Tell(string line)
    {
        lock (Gate)
        {
            try
            {
                _reaper ??= StartReaper();
                _reaper.StandardInput.WriteLine(line);
                _reaper.StandardInput.Flush();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Without a reaper trials still stop with their attempt; only a crash of this process could leave one behind.
                Trace.TraceWarning($"the trial process reaper is not running: {e.Message}");
                _reaper = null;
            }
        }
    }

    private static Process StartReaper()
    {
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in (string[])["sh", "-c", ReaperScript, "sweep-reaper", Grace.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException("setsid did not start");
    }
}
