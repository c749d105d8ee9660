using System.Text.Json;
using SweepCluster.Core.Json;
using SweepCluster.Core.Results;

namespace SweepCluster.Core.Sweeps;

/// <summary>
/// The trials of a sweep that have ended, while the sweep runs: its <see cref="SweepState"/> keeps only each one's status and the
/// figures of its summary in memory, and <see cref="ArchivedSweep"/> reads the rest back from here when asked. In a file
/// (<see cref="InFile"/>, the run folder's <c>trials.jsonl</c>), so that what a running sweep holds in memory is bounded
/// by its trials in flight; in memory (<see cref="InMemory"/>) where no file can be written, and in tests.
/// </summary>
public abstract class TrialArchive : IDisposable
{
    public const string FileName = "trials.jsonl";

    /// <summary>
    /// The file of a sweep extended after it ended, which starts from the <paramref name="planned"/> trials its sweep.json holds, in
    /// index order. A file of its own: a snapshot taken before the sweep ended points into trials.jsonl, whose trials are in the
    /// order they ended.
    /// </summary>
    public static string ResumedFileName(int planned) => $"trials-from-{planned}.jsonl";

    public static TrialArchive InMemory() => new MemoryArchive();

    /// <summary>
    /// A new, empty file in the run folder, <c>trials.jsonl</c> unless named (one left there by an earlier replay of the same events
    /// is emptied: the replay writes it again).
    /// </summary>
    /// <exception cref="IOException">The file cannot be made; the message names it.</exception>
    public static TrialArchive InFile(string runDirectory, string fileName = FileName) => FileArchive.Open(runDirectory, fileName, 0, _ => { });

    /// <summary>
    /// The file as a journal snapshot left it: its first <paramref name="length"/> bytes (what was written after comes again from
    /// the journal's later events), each trial handed to <paramref name="restored"/> in the order it ended.
    /// </summary>
    /// <exception cref="IOException">The file is missing, shorter than the snapshot says, or unreadable; the message names it.</exception>
    public static TrialArchive Reopen(string runDirectory, string fileName, long length, Action<TrialSnapshot> restored) =>
        FileArchive.Open(runDirectory, fileName, length, restored);

    public void Add(TrialSnapshot trial) => Store(trial);

    /// <summary>The archived trial.</summary>
    /// <exception cref="IOException">The file cannot be read; the message names it.</exception>
    public abstract TrialSnapshot Read(int index);

    /// <summary>Every archived trial, in the order they ended.</summary>
    /// <exception cref="IOException">The file cannot be read; the message names it.</exception>
    public abstract IEnumerable<TrialSnapshot> ReadAll();

    /// <summary>
    /// Where a journal snapshot taken now finds the archive again: the file's name and length, written through to the disk first (a
    /// snapshot must never point past what a crash leaves); null for one in memory, whose trials the snapshot then holds itself.
    /// </summary>
    public abstract (string File, long Length)? Mark();

    /// <summary>The trials held in memory, which a journal snapshot then copies: every one in an archive in memory, none in a file.</summary>
    public abstract int HeldInMemory { get; }

    protected abstract void Store(TrialSnapshot trial);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private sealed class MemoryArchive : TrialArchive
    {
        private readonly List<TrialSnapshot> _inOrder = [];
        private readonly Dictionary<int, int> _places = [];

        protected override void Store(TrialSnapshot trial)
        {
            _places[trial.Index] = _inOrder.Count;
            _inOrder.Add(trial);
        }

        public override TrialSnapshot Read(int index) => _inOrder[_places[index]];

        public override IEnumerable<TrialSnapshot> ReadAll() => _inOrder;

        public override (string File, long Length)? Mark() => null;

        public override int HeldInMemory => _inOrder.Count;
    }

    /// <summary>
    /// One JSON line per trial, appended as it ends; the offset of each line by trial index. Each line ends with a checksum of the rest,
    /// <c>,"sum":"16 hex digits"}</c> (a property other readers pass over): a line changed after it was written is refused, and the
    /// coordinator then rebuilds the file from its journal. Lines written before the checksum are read as they are.
    /// </summary>
    private sealed class FileArchive : TrialArchive
    {
        private static readonly byte[] SumPrefix = ",\"sum\":\""u8.ToArray();
        private const int SumDigits = 16;

        private readonly string _path;
        private readonly FileStream _file;
        private long[] _offsets = new long[64];

        private FileArchive(string path, FileStream file) => (_path, _file) = (path, file);

        public static FileArchive Open(string runDirectory, string fileName, long length, Action<TrialSnapshot> restored)
        {
            var path = Path.Combine(runDirectory, fileName);
            FileStream? file = null;
            try
            {
                Directory.CreateDirectory(runDirectory);
                file = new FileStream(path, length == 0 ? FileMode.Create : FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 64 * 1024);
                if (file.Length < length) throw new IOException($"it holds {file.Length} bytes where the journal's snapshot recorded {length}");
                file.SetLength(length);
                var archive = new FileArchive(path, file);
                foreach (var (offset, trial) in archive.Lines(length))
                {
                    archive.Register(trial, offset);
                    restored(trial);
                }
                file.Seek(0, SeekOrigin.End);
                return archive;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                file?.Dispose();
                var reason = e is FileNotFoundException or DirectoryNotFoundException ? "there is no such file" : e.Message;
                throw new IOException($"the ended trials of a running sweep are kept in {path}: {reason}", e);
            }
        }

        private void Register(TrialSnapshot trial, long offset)
        {
            if (trial.Index >= _offsets.Length) Array.Resize(ref _offsets, Math.Max(trial.Index + 1, 2 * _offsets.Length));
            _offsets[trial.Index] = offset;
        }

        protected override void Store(TrialSnapshot trial)
        {
            var offset = _file.Position;
            var json = JsonSerializer.SerializeToUtf8Bytes(trial, SweepJson.Stored);
            _file.Write(json, 0, json.Length - 1); // all but the closing brace, which follows the checksum
            _file.Write(SumPrefix);
            _file.Write(System.Text.Encoding.ASCII.GetBytes(Sum(json)));
            _file.Write("\"}\n"u8);
            Register(trial, offset);
        }

        public override TrialSnapshot Read(int index)
        {
            _file.Flush();
            var line = new MemoryStream();
            var buffer = new byte[4096];
            for (var at = _offsets[index]; ;)
            {
                var read = RandomAccess.Read(_file.SafeFileHandle, buffer, at);
                var end = Array.IndexOf(buffer, (byte)'\n', 0, read);
                line.Write(buffer, 0, end >= 0 ? end : read);
                if (end >= 0 || read == 0) break;
                at += read;
            }
            return Parse(line.GetBuffer().AsSpan(0, (int)line.Length));
        }

        public override IEnumerable<TrialSnapshot> ReadAll()
        {
            _file.Flush();
            return Lines(_file.Length).Select(l => l.Trial);
        }

        /// <summary>The trials in the file's first <paramref name="length"/> bytes, each with the offset of its line.</summary>
        private IEnumerable<(long Offset, TrialSnapshot Trial)> Lines(long length)
        {
            using var reader = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 64 * 1024);
            var line = new MemoryStream();
            var buffer = new byte[64 * 1024];
            long at = 0, start = 0;
            while (at < length)
            {
                var read = reader.Read(buffer, 0, (int)Math.Min(buffer.Length, length - at));
                if (read == 0) break;
                for (var from = 0; from < read;)
                {
                    var end = Array.IndexOf(buffer, (byte)'\n', from, read - from);
                    line.Write(buffer, from, (end >= 0 ? end : read) - from);
                    if (end < 0) break;
                    yield return (start, Parse(line.GetBuffer().AsSpan(0, (int)line.Length)));
                    line.SetLength(0);
                    (from, start) = (end + 1, at + end + 1);
                }
                at += read;
            }
        }

        private TrialSnapshot Parse(ReadOnlySpan<byte> line)
        {
            var at = line.Length - SumDigits - SumPrefix.Length - 2;
            if (at > 0 && line[at..].StartsWith(SumPrefix))
            {
                var json = new byte[at + 1];
                line[..at].CopyTo(json);
                json[at] = (byte)'}';
                if (!line.Slice(at + SumPrefix.Length, SumDigits).SequenceEqual(System.Text.Encoding.ASCII.GetBytes(Sum(json))))
                    throw new IOException($"a line of {_path} was changed after it was written: its checksum disagrees with it");
            }
            try
            {
                return JsonSerializer.Deserialize<TrialSnapshot>(line, SweepJson.Stored) ?? throw new JsonException("a null trial");
            }
            catch (JsonException e)
            {
                throw new IOException($"{_path} holds a line that is not a trial: {e.Message}", e);
            }
        }

        /// <summary>The first 8 bytes of the line's SHA-256, in hex: enough to catch an edit, not meant to withstand a forger.</summary>
        private static string Sum(byte[] json) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(json).AsSpan(0, SumDigits / 2));

        public override (string File, long Length)? Mark()
        {
            _file.Flush(flushToDisk: true);
            return (Path.GetFileName(_path), _file.Length);
        }

        public override int HeldInMemory => 0;

        public override void Dispose()
        {
            _file.Dispose();
            base.Dispose();
        }
    }
}
