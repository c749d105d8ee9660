using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using SweepCluster.Core.Spec;
using SweepCluster.Sdk;

namespace SweepCluster.Training.Trainers;

/// <summary>
/// .NET trainers of the user's: the assembly a <c>run:</c> entry names (<c>bin/MyTrainer.dll</c>, or <c>bin/MyTrainer.dll:My.Type</c>),
/// loaded once per file version into a load context of its own, so that its dependencies are its own; the SDK is the host's, so
/// that its <see cref="ITrainer"/> is the one the host knows.
/// </summary>
public static class AssemblyTrainers
{
    private static readonly ConcurrentDictionary<(string Path, DateTime Written), Lazy<Assembly>> Loaded = new();

    /// <summary>A new instance of the trainer the entry names; <see cref="TrainerLoadException"/> says why there is none.</summary>
    public static ITrainer Create(string codeDirectory, string entry)
    {
        var type = TypeOf(codeDirectory, entry);
        try
        {
            return (ITrainer)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e)
        {
            throw new TrainerLoadException($"{type.FullName}'s constructor failed: {e.InnerException?.Message}");
        }
    }

    /// <summary>Why the entry names no trainer that loads, or null when it does: what <c>validate</c> checks.</summary>
    public static string? Problem(string codeDirectory, string entry)
    {
        try
        {
            TypeOf(codeDirectory, entry);
            return null;
        }
        catch (TrainerLoadException e)
        {
            return e.Message;
        }
    }

    private static Type TypeOf(string codeDirectory, string entry)
    {
        var (file, typeName) = KnownTrainers.AssemblyEntry(entry) ?? throw new TrainerLoadException($"'{entry}' names no assembly (a .dll file)");
        var path = Path.GetFullPath(Path.Combine(codeDirectory, file));
        if (!File.Exists(path)) throw new TrainerLoadException($"there is no assembly {path}: build the trainer's project into the code folder first");
        Assembly assembly;
        try
        {
            assembly = Loaded.GetOrAdd((path, File.GetLastWriteTimeUtc(path)), key => new Lazy<Assembly>(() => new TrainerLoadContext(key.Path).LoadFromAssemblyPath(key.Path))).Value;
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException)
        {
            throw new TrainerLoadException($"{path} does not load as a .NET assembly: {e.Message}");
        }
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or TypeLoadException)
        {
            throw new TrainerLoadException($"{path}'s types do not load (is every assembly it needs beside it?): {e.Message}");
        }
        var trainers = types.Where(t => typeof(ITrainer).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null).ToList();
        if (typeName is not null)
            return trainers.FirstOrDefault(t => t.FullName == typeName)
                ?? throw new TrainerLoadException($"{path} has no public trainer {typeName} (an ITrainer with a constructor without parameters); it has {Names(trainers)}");
        return trainers.Count == 1 ? trainers[0]
            : throw new TrainerLoadException(trainers.Count == 0
                ? $"{path} has no public class implementing SweepCluster.Sdk.ITrainer with a constructor without parameters (is it built against SweepCluster.Sdk?)"
                : $"{path} has several trainers ({Names(trainers)}): name one, {entry}:TYPE");
    }

    private static string Names(List<Type> types) => types.Count == 0 ? "none" : string.Join(", ", types.Select(t => t.FullName));

    private sealed class TrainerLoadContext(string path) : AssemblyLoadContext($"trainer {path}")
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);
        private static readonly string SdkName = typeof(ITrainer).Assembly.GetName().Name!;

        protected override Assembly? Load(AssemblyName name) =>
            name.Name == SdkName ? null : _resolver.ResolveAssemblyToPath(name) is { } file ? LoadFromAssemblyPath(file) : null;

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } file ? LoadUnmanagedDllFromPath(file) : IntPtr.Zero;
    }
}

/// <summary>The assembly a <c>run:</c> entry names holds no trainer that can run: not retried, since it would fail the same way.</summary>
public sealed class TrainerLoadException(string message) : Exception(message);
