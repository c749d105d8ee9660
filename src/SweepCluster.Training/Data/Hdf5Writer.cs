using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace SweepCluster.Training.Data;

/// <summary>A group of an HDF5 file to write: named children and attributes, in the order given.</summary>
public sealed class Hdf5Group
{
    public List<(string Name, object Child)> Children { get; } = [];

    public List<(string Name, object Value)> Attributes { get; } = [];

    public Hdf5Group Add(string name, object child)
    {
        Children.Add((name, child));
        return this;
    }

    public Hdf5Group Attribute(string name, object value)
    {
        Attributes.Add((name, value));
        return this;
    }
}

/// <summary>A contiguous dataset of <c>float[]</c>, <c>long[]</c> or <c>string[]</c> (fixed-length, as numpy's 'S').</summary>
public sealed class Hdf5Dataset(Array values, params ulong[] dims)
{
    public Array Values { get; } = values;

    public ulong[] Dims { get; } = dims;

    public List<(string Name, object Value)> Attributes { get; } = [];

    public Hdf5Dataset Attribute(string name, object value)
    {
        Attributes.Add((name, value));
        return this;
    }
}

/// <summary>
/// Writes HDF5 files in the classic layout h5py and PyTables read everywhere: superblock version 0, version 1
/// object headers, groups as link messages, contiguous datasets. String attributes are fixed-length UTF-8 of their
/// exact size and string datasets fixed-length of their longest value, as pandas writes them.
/// </summary>
/// <remarks>
/// PureHDF 2.2 writes either every string variable-length (PyTables, and so <c>pandas.read_hdf</c>, cannot read a
/// frame's column names then) or every string at one width, padding attributes such as <c>pandas_type</c> with
/// zero bytes that PyTables keeps. Files of groups, float32/int64 arrays and strings need no more than this.
/// </remarks>
public static class Hdf5Writer
{
    private const ulong Undefined = ulong.MaxValue;
    private const int SuperblockSize = 96;
    private const int HeaderPrefix = 16;

    public static void Write(Stream target, Hdf5Group root)
    {
        // Addresses first: every object header's size is known without addresses, raw data follows the headers.
        var headers = new List<object>();
        Collect(root, headers);
        var address = new Dictionary<object, ulong>(ReferenceEqualityComparer.Instance);
        var next = (ulong)SuperblockSize;
        foreach (var node in headers)
        {
            address[node] = next;
            next += (ulong)(HeaderPrefix + Messages(node, address, dataAddress: 0).Sum(m => m.Length));
        }
        var dataAddress = new Dictionary<object, ulong>(ReferenceEqualityComparer.Instance);
        foreach (var dataset in headers.OfType<Hdf5Dataset>())
        {
            dataAddress[dataset] = next;
            next += Align((ulong)RawSize(dataset));
        }

        WriteSuperblock(target, address[root], endOfFile: next);
        foreach (var node in headers)
        {
            var messages = Messages(node, address, node is Hdf5Dataset ? dataAddress[node] : 0);
            var prefix = new byte[HeaderPrefix];
            prefix[0] = 1;
            BinaryPrimitives.WriteUInt16LittleEndian(prefix.AsSpan(2), (ushort)messages.Count);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(4), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(8), (uint)messages.Sum(m => m.Length));
            target.Write(prefix);
            foreach (var message in messages) target.Write(message);
        }
        foreach (var dataset in headers.OfType<Hdf5Dataset>())
        {
            var size = WriteRaw(target, dataset);
            target.Write(new byte[Align((ulong)size) - (ulong)size]);
        }
    }

    private static void Collect(object node, List<object> headers)
    {
        headers.Add(node);
        if (node is Hdf5Group group)
            foreach (var (_, child) in group.Children) Collect(child, headers);
    }

    private static List<byte[]> Messages(object node, IReadOnlyDictionary<object, ulong> address, ulong dataAddress)
    {
        var messages = new List<byte[]>();
        List<(string Name, object Value)> attributes;
        if (node is Hdf5Group group)
        {
            var linkInfo = new byte[18];
            BinaryPrimitives.WriteUInt64LittleEndian(linkInfo.AsSpan(2), Undefined);
            BinaryPrimitives.WriteUInt64LittleEndian(linkInfo.AsSpan(10), Undefined);
            messages.Add(Message(0x02, linkInfo));
            messages.Add(Message(0x0A, new byte[2]));
            foreach (var (name, child) in group.Children)
            {
                var nameBytes = Encoding.UTF8.GetBytes(name);
                var link = new byte[4 + nameBytes.Length + 8];
                link[0] = 1;
                link[1] = 0x10; // a character set field follows; a hard link, a one-byte name length
                link[2] = 1;    // UTF-8
                link[3] = checked((byte)nameBytes.Length);
                nameBytes.CopyTo(link, 4);
                BinaryPrimitives.WriteUInt64LittleEndian(link.AsSpan(4 + nameBytes.Length), address.GetValueOrDefault(child));
                messages.Add(Message(0x06, link));
            }
            attributes = group.Attributes;
        }
        else
        {
            var dataset = (Hdf5Dataset)node;
            messages.Add(Message(0x01, Dataspace(dataset.Dims)));
            messages.Add(Message(0x03, Datatype(dataset.Values)));
            messages.Add(Message(0x05, [2, 2, 2, 0])); // fill value: allocated late, written only if set, not set
            var layout = new byte[18];
            layout[0] = 3;
            layout[1] = 1; // contiguous
            BinaryPrimitives.WriteUInt64LittleEndian(layout.AsSpan(2), dataAddress);
            BinaryPrimitives.WriteUInt64LittleEndian(layout.AsSpan(10), (ulong)RawSize(dataset));
            messages.Add(Message(0x08, layout));
            attributes = dataset.Attributes;
        }
        foreach (var (name, value) in attributes) messages.Add(Message(0x0C, AttributeMessage(name, value)));
        return messages;
    }

    private static byte[] AttributeMessage(string name, object value)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var (type, space, data) = value switch
        {
            // An empty string has no HDF5 form of length 0: a one-byte string over a null dataspace, as PyTables writes it.
            "" => (StringType(1), NullDataspace(), Array.Empty<byte>()),
            string text => (StringType(Encoding.UTF8.GetByteCount(text)), Dataspace([]), Encoding.UTF8.GetBytes(text)),
            // Bytes are an ASCII string, as numpy's bytes_: PyTables unpickles those (pandas' b"N." is None).
            byte[] ascii => (StringType(ascii.Length, utf8: false), Dataspace([]), ascii),
            long number => (Datatype(new long[1]), Dataspace([]), BitConverter.GetBytes(number)),
            _ => throw new ArgumentException($"attribute '{name}': {value.GetType().Name} values are not written; use string, byte[] or long"),
        };
        using var message = new MemoryStream();
        message.Write([1, 0]);
        message.Write(BitConverter.GetBytes((ushort)nameBytes.Length));
        message.Write(BitConverter.GetBytes((ushort)type.Length));
        message.Write(BitConverter.GetBytes((ushort)space.Length));
        foreach (var part in new[] { nameBytes, type, space })
        {
            message.Write(part);
            message.Write(new byte[Align((ulong)part.Length) - (ulong)part.Length]);
        }
        message.Write(data);
        return message.ToArray();
    }

    private static byte[] Message(ushort type, byte[] body)
    {
        var message = new byte[8 + Align((ulong)body.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(message, type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(2), (ushort)(message.Length - 8));
        body.CopyTo(message, 8);
        return message;
    }

    private static byte[] Dataspace(ulong[] dims)
    {
        var space = new byte[4 + 8 * dims.Length];
        space[0] = 2;
        space[1] = (byte)dims.Length;
        space[3] = (byte)(dims.Length == 0 ? 0 : 1); // scalar or simple
        for (var i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(space.AsSpan(4 + 8 * i), dims[i]);
        return space;
    }

    private static byte[] NullDataspace() => [2, 0, 0, 2];

    private static byte[] Datatype(Array values) => values switch
    {
        float[] =>
        [
            0x11, 0x20, 31, 0, 4, 0, 0, 0, // IEEE little-endian, implied leading mantissa bit, sign at bit 31
            0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0,
        ],
        long[] => [0x10, 0x08, 0, 0, 8, 0, 0, 0, 0, 0, 64, 0], // signed little-endian, 64 bits
        string[] strings => StringType(StringWidth(strings)),
        _ => throw new ArgumentException($"datasets of {values.GetType().Name} are not written; use float[], long[] or string[]"),
    };

    private static byte[] StringType(int size, bool utf8 = true)
    {
        var type = new byte[8];
        type[0] = 0x13;
        type[1] = (byte)(utf8 ? 0x10 : 0x00); // null-terminated, UTF-8 or ASCII
        BinaryPrimitives.WriteUInt32LittleEndian(type.AsSpan(4), (uint)size);
        return type;
    }

    private static int StringWidth(string[] strings) => Math.Max(1, strings.Max(s => Encoding.UTF8.GetByteCount(s)));

    private static long RawSize(Hdf5Dataset dataset) => dataset.Values switch
    {
        float[] f => 4L * f.Length,
        long[] l => 8L * l.Length,
        string[] s => (long)StringWidth(s) * s.Length,
        _ => 0,
    };

    private static long WriteRaw(Stream target, Hdf5Dataset dataset)
    {
        switch (dataset.Values)
        {
            case float[] f:
                target.Write(MemoryMarshal.AsBytes(f.AsSpan()));
                break;
            case long[] l:
                target.Write(MemoryMarshal.AsBytes(l.AsSpan()));
                break;
            case string[] s:
                var width = StringWidth(s);
                foreach (var text in s)
                {
                    var bytes = new byte[width];
                    Encoding.UTF8.GetBytes(text, bytes);
                    target.Write(bytes);
                }
                break;
        }
        return RawSize(dataset);
    }

    private static void WriteSuperblock(Stream target, ulong rootAddress, ulong endOfFile)
    {
        var block = new byte[SuperblockSize];
        byte[] signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];
        signature.CopyTo(block, 0);
        block[13] = 8; // size of offsets
        block[14] = 8; // size of lengths
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(16), 4);  // group leaf node K
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(18), 16); // group internal node K
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(24), 0);  // base address
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(32), Undefined);
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(40), endOfFile);
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(48), Undefined);
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(64), rootAddress); // root group's symbol table entry
        target.Write(block);
    }

    private static ulong Align(ulong size) => (size + 7) / 8 * 8;
}
