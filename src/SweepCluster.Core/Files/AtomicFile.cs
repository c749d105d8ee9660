using System.Text;

namespace SweepCluster.Core.Files;

/// <summary>Small files written whole: a reader sees the old content or the new, never half of it.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="text"/> to a fresh <c>.tmp</c> file beside <paramref name="path"/> and renames it into place.
    /// The temporary file is made new rather than truncated: .NET truncates an opened file with ftruncate, after which ext4
    /// makes close wait for the disk (its rename-over heuristic), and trial files are written hundreds of times a second.
    /// </summary>
    public static void WriteAllText(string path, string text)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary); // left by a process that died mid-write
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
            file.Write(Encoding.UTF8.GetBytes(text));
        File.Move(temporary, path, overwrite: true);
    }
}
