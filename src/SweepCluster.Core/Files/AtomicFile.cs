using System.Text;

namespace SweepCluster.Core.Files;

/// <summary>Files written whole: a reader (or a node recovering after a crash) sees the old content or the new, never half of it.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, file => file.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Lets <paramref name="write"/> fill a fresh <c>.tmp</c> file beside <paramref name="path"/>, then renames it into place.
    /// The temporary file is made new rather than truncated: .NET truncates an opened file with ftruncate, after which ext4
    /// makes close wait for the disk (its rename-over heuristic), and trial files are written hundreds of times a second.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary); // left by a process that died mid-write
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024))
            write(file);
        File.Move(temporary, path, overwrite: true);
    }
}
