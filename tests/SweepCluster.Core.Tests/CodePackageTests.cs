using System.IO.Compression;
using SweepCluster.Core.Code;

namespace SweepCluster.Core.Tests;

/// <summary>The code folder sent with a sweep: what goes in, what stays out, and a package that cannot write outside its folder.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CodePackageTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder() => _dir = Directory.CreateTempSubdirectory("package-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    private void Write(string path, string text = "x")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_dir, path))!);
        File.WriteAllText(Path.Combine(_dir, path), text);
    }

    [Test]
    public void What_gitignore_and_sweepignore_name_stays_out_and_the_rest_goes_in()
    {
        foreach (var file in (string[])["train.py", "lib/model.py", "data/big.h5", "runs/a/trial.json", "notes/keep.log", "x.log", "deep/er/cache.pyc", ".git/HEAD"])
            Write(file);
        Write(".gitignore", "# build output\n/runs/\n*.log\n!notes/keep.log\n**/*.pyc\n");
        Write(".sweepignore", "data/\n");
        File.CreateSymbolicLink(Path.Combine(_dir, "link.py"), "/etc/hostname");
        var (zip, _) = CodePackage.Pack(_dir);
        Assert.That(CodePackage.List(zip).Order(StringComparer.Ordinal),
            Is.EqualTo(new[] { ".gitignore", ".sweepignore", "lib/model.py", "notes/keep.log", "train.py" }));
    }

    [Test]
    public void The_same_files_make_the_same_package_and_a_change_another()
    {
        Write("train.py", "print(1)");
        var (first, hash) = CodePackage.Pack(_dir);
        File.SetLastWriteTimeUtc(Path.Combine(_dir, "train.py"), DateTime.UtcNow.AddDays(-3));
        Assert.That(CodePackage.Pack(_dir).Hash, Is.EqualTo(hash), "timestamps do not change the package");
        Assert.That(CodePackage.HashOf(first), Is.EqualTo(hash));
        Write("train.py", "print(2)");
        Assert.That(CodePackage.Pack(_dir).Hash, Is.Not.EqualTo(hash));
    }

    [Test]
    public void A_folder_too_large_is_refused_naming_its_largest_files()
    {
        Write("train.py");
        File.WriteAllBytes(Path.Combine(_dir, "weights.bin"), new byte[3 << 20]);
        var refusal = Assert.Throws<CodePackageException>(() => CodePackage.Pack(_dir, maxBytes: 1 << 20))!;
        Assert.That(refusal.Message, Does.Contain("more than the 1 MiB allowed; the largest files are weights.bin (3072 KiB), train.py (0 KiB)"));
        Assert.That(refusal.Message, Does.Contain(".sweepignore"));
    }

    [Test]
    public void Unpacking_keeps_modes_and_refuses_an_entry_outside_its_folder()
    {
        Write("run.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(_dir, "run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (zip, _) = CodePackage.Pack(_dir);
        CodePackage.Unpack(zip, Path.Combine(_dir, "out"));
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "out", "run.sh")).HasFlag(UnixFileMode.UserExecute));

        using var hostile = new MemoryStream();
        using (var archive = new ZipArchive(hostile, ZipArchiveMode.Create, leaveOpen: true))
        using (var writer = new StreamWriter(archive.CreateEntry("../escaped.txt").Open())) writer.Write("no");
        var refusal = Assert.Throws<CodePackageException>(() => CodePackage.Unpack(hostile.ToArray(), Path.Combine(_dir, "evil")))!;
        Assert.That(refusal.Message, Does.Contain("'../escaped.txt', which lies outside its folder"));
        Assert.That(File.Exists(Path.Combine(_dir, "escaped.txt")), Is.False);
        Assert.That(Directory.Exists(Path.Combine(_dir, "evil")), Is.False, "nothing is left half unpacked");
    }
}
