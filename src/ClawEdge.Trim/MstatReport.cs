using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace ClawEdge.Trim;

/// <summary>One thing the ILCompiler put in the binary: its assembly, namespace, name and bytes.</summary>
public readonly record struct MstatEntry(string Kind, string Assembly, string Namespace, string Name, long Size);

/// <summary>
/// Reads the ILCompiler's <c>.mstat</c>: a metadata-only assembly whose global type has methods
/// <c>Types</c>, <c>Methods</c> and <c>Blobs</c>. Their IL is a list of records, each a <c>ldtoken</c>
/// (type or method) or <c>ldstr</c> (blob name) followed by <c>ldc.i4</c> numbers, the first being the
/// size in bytes. Reading records this way is independent of how many numbers a format version adds.
/// </summary>
public sealed class MstatReport
{
    private MstatReport(List<MstatEntry> entries) => Entries = entries;

    public List<MstatEntry> Entries { get; }

    public long Total => Entries.Sum(e => e.Size);

    public static MstatReport Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        _current = reader;
        var names = new NameResolver(reader);
        var entries = new List<MstatEntry>();
        var global = reader.GetTypeDefinition(MetadataTokens.TypeDefinitionHandle(1));
        foreach (var handle in global.GetMethods())
        {
            var method = reader.GetMethodDefinition(handle);
            string kind = reader.GetString(method.Name);
            if (kind is not ("Types" or "Methods" or "Blobs") || method.RelativeVirtualAddress == 0)
                continue;
            var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
            foreach (var (token, str, size) in Records(il))
            {
                var (assembly, ns, name) = str is not null ? ("(blobs)", "(blobs)", str) : names.Describe(token);
                entries.Add(new MstatEntry(kind, assembly, ns, name, size));
            }
        }
        if (entries.Count == 0)
            throw new InvalidDataException($"{path}: no Types/Methods/Blobs records: not an ILCompiler .mstat?");
        return new MstatReport(entries);
    }

    private static IEnumerable<(EntityHandle Token, string? Name, long Size)> Records(BlobReader il)
    {
        EntityHandle token = default;
        string? name = null;
        bool open = false, sized = false;
        var result = new List<(EntityHandle, string?, long)>();
        while (il.RemainingBytes > 0)
        {
            int op = il.ReadByte();
            if (op == 0xFE)
            {
                il.ReadByte(); // two-byte opcodes do not occur in these bodies; no operand follows those that might
                continue;
            }
            switch (op)
            {
                case 0xD0: // ldtoken
                    token = MetadataTokens.EntityHandle(il.ReadInt32());
                    name = null;
                    open = true;
                    sized = false;
                    break;
                case 0x72: // ldstr
                    name = StringAt(il.ReadInt32());
                    token = default;
                    open = true;
                    sized = false;
                    break;
                case 0x20: // ldc.i4
                    Size(il.ReadInt32());
                    break;
                case 0x1F: // ldc.i4.s
                    Size(il.ReadSByte());
                    break;
                case >= 0x15 and <= 0x1E: // ldc.i4.m1 … ldc.i4.8
                    Size(op - 0x16);
                    break;
                case 0x26 or 0x2A or 0x00: // pop, ret, nop
                    break;
                default:
                    throw new InvalidDataException($"unexpected IL opcode 0x{op:X2} in .mstat");
            }
        }
        return result;

        void Size(long value)
        {
            if (open && !sized)
            {
                result.Add((token, name, value));
                sized = true;
            }
        }
    }

    // ldstr operands point into the #US heap of the file being read (one at a time per thread).
    [ThreadStatic] private static MetadataReader? _current;

    private static string StringAt(int token) =>
        _current?.GetUserString(MetadataTokens.UserStringHandle(token & 0xFFFFFF)) ?? $"blob#{token & 0xFFFFFF}";

    /// <summary>Bytes per assembly, largest first.</summary>
    public IEnumerable<(string Key, long Size)> ByAssembly() =>
        Entries.GroupBy(e => e.Assembly).Select(g => (g.Key, g.Sum(e => e.Size))).OrderByDescending(x => x.Item2);

    public IEnumerable<(string Key, long Size)> ByNamespace() =>
        Entries.GroupBy(e => $"{e.Assembly}: {e.Namespace}").Select(g => (g.Key, g.Sum(e => e.Size))).OrderByDescending(x => x.Item2);

    /// <summary>Assembly and namespace of a type or method token in the .mstat's metadata.</summary>
    private sealed class NameResolver(MetadataReader reader)
    {
        public (string Assembly, string Namespace, string Name) Describe(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeReference:
                case HandleKind.TypeSpecification:
                case HandleKind.TypeDefinition:
                    return Type(handle, 0);
                case HandleKind.MemberReference:
                {
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    var owner = Type(member.Parent, 0);
                    return (owner.Assembly, owner.Namespace, $"{owner.Name}.{reader.GetString(member.Name)}");
                }
                case HandleKind.MethodSpecification:
                    return Describe(reader.GetMethodSpecification((MethodSpecificationHandle)handle).Method);
                case HandleKind.MethodDefinition:
                {
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    var owner = Type(method.GetDeclaringType(), 0);
                    return (owner.Assembly, owner.Namespace, $"{owner.Name}.{reader.GetString(method.Name)}");
                }
                default:
                    return ("(unknown)", "(unknown)", handle.Kind.ToString());
            }
        }

        private (string Assembly, string Namespace, string Name) Type(EntityHandle handle, int depth)
        {
            if (depth > 16)
                return ("(unknown)", "(unknown)", "?");
            switch (handle.Kind)
            {
                case HandleKind.TypeReference:
                {
                    var type = reader.GetTypeReference((TypeReferenceHandle)handle);
                    string name = reader.GetString(type.Name);
                    if (type.ResolutionScope.Kind == HandleKind.TypeReference)
                    {
                        var outer = Type(type.ResolutionScope, depth + 1);
                        return (outer.Assembly, outer.Namespace, $"{outer.Name}+{name}");
                    }
                    string assembly = type.ResolutionScope.Kind == HandleKind.AssemblyReference
                        ? reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name)
                        : "(module)";
                    return (assembly, reader.GetString(type.Namespace), name);
                }
                case HandleKind.TypeDefinition:
                {
                    var type = reader.GetTypeDefinition((TypeDefinitionHandle)handle);
                    return ("(mstat)", reader.GetString(type.Namespace), reader.GetString(type.Name));
                }
                case HandleKind.TypeSpecification:
                {
                    var blob = reader.GetBlobReader(reader.GetTypeSpecification((TypeSpecificationHandle)handle).Signature);
                    return FromSignature(ref blob, depth + 1);
                }
                default:
                    return ("(unknown)", "(unknown)", handle.Kind.ToString());
            }
        }

        // Generic instantiations are attributed to their generic type; arrays and pointers to their element type.
        private (string, string, string) FromSignature(ref BlobReader blob, int depth)
        {
            var code = blob.ReadSignatureTypeCode();
            switch (code)
            {
                case SignatureTypeCode.GenericTypeInstance:
                    return FromSignature(ref blob, depth + 1);
                case SignatureTypeCode.TypeHandle:
                    return Type(blob.ReadTypeHandle(), depth + 1);
                case SignatureTypeCode.SZArray or SignatureTypeCode.Pointer or SignatureTypeCode.ByReference or SignatureTypeCode.Pinned:
                    return FromSignature(ref blob, depth + 1);
                case SignatureTypeCode.Array:
                    return FromSignature(ref blob, depth + 1);
                case SignatureTypeCode.GenericTypeParameter or SignatureTypeCode.GenericMethodParameter:
                    return ("(generic)", "(generic)", $"!{blob.ReadCompressedInteger()}");
                default:
                    return ("System.Private.CoreLib", "System", code.ToString());
            }
        }
    }
}
