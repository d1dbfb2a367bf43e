using System.Reflection;
using System.Reflection.Emit;
using AmtSharp.Masking;
using AmtSharp.Training.Pretraining;
using Xunit;

namespace AmtSharp.Tests.Architecture;

/// <summary>
/// Dependencies point one way (docs/architecture.md): a type may use types of its own layer and of lower layers,
/// never of a higher layer or of a peer on the same level. Read off the compiled assembly: signatures, base types,
/// fields, locals and every type, method and field a method body names.
/// </summary>
public sealed class LayerTests
{
    /// <summary>The layers from the bottom up; layers on one level are peers and must not use each other.</summary>
    public static readonly (int Level, string Layer, string[] Namespaces)[] Layers =
    [
        (0, "Core", ["AmtSharp", "AmtSharp.Core"]),
        (1, "Data", ["AmtSharp.Data"]),
        (1, "Masking", ["AmtSharp.Masking"]),
        (2, "Models", ["AmtSharp.Models"]),
        (3, "Amt", ["AmtSharp.Amt"]),
        (4, "Training", ["AmtSharp.Training"]),
        (5, "Reporting", ["AmtSharp.Reporting"]),
        (5, "Benchmarks", ["AmtSharp.Benchmarks"]),
        (6, "Experiments", ["AmtSharp.Experiments"]),
        (6, "Inspection", ["AmtSharp.Inspection"]),
    ];

    private static readonly Assembly Library = typeof(MaskPlan).Assembly;

    [Fact]
    public void NoLayerUsesAHigherOrPeerLayer()
    {
        var edges = Dependencies();
        // The scan must see into method bodies, or an empty list of violations would prove nothing.
        Assert.Contains((typeof(Pretrainer).FullName!, typeof(MaskRequest).FullName!), edges);

        var violations = edges
            .Select(e => (From: e.From, To: e.To, A: LayerOf(e.From), B: LayerOf(e.To)))
            .Where(e => e.A.Layer != e.B.Layer && e.A.Level <= e.B.Level)
            .Select(e => $"{e.From} ({e.A.Layer}, level {e.A.Level}) uses {e.To} ({e.B.Layer}, level {e.B.Level})")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(violations.Count == 0,
            $"{violations.Count} upward or sideways uses (see docs/architecture.md):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void EveryNamespaceHasALayer()
    {
        var unplaced = Library.GetTypes().Select(t => t.Namespace).OfType<string>().Distinct()
            .Where(ns => (ns == "AmtSharp" || ns.StartsWith("AmtSharp.", StringComparison.Ordinal)) && Find(ns) is null)
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(unplaced.Count == 0,
            "namespaces outside every layer (add them to LayerTests.Layers and docs/architecture.md): " + string.Join(", ", unplaced));
    }

    private static (int Level, string Layer) LayerOf(string typeName)
    {
        int dot = typeName.LastIndexOf('.');
        string ns = dot < 0 ? "" : typeName[..dot];
        return Find(ns) ?? throw new InvalidOperationException($"{typeName}: namespace {ns} is in no layer");
    }

    // The longest matching namespace prefix; the root namespace matches only itself.
    private static (int Level, string Layer)? Find(string ns) =>
        Layers.SelectMany(l => l.Namespaces.Select(n => (l.Level, l.Layer, Prefix: n)))
            .Where(l => ns == l.Prefix || (l.Prefix != "AmtSharp" && ns.StartsWith(l.Prefix + ".", StringComparison.Ordinal)))
            .OrderByDescending(l => l.Prefix.Length)
            .Select(l => ((int Level, string Layer)?)(l.Level, l.Layer))
            .FirstOrDefault();

    /// <summary>(user, used) pairs of named library types; nested and compiler-generated types count as their outermost type.</summary>
    private static HashSet<(string From, string To)> Dependencies()
    {
        var edges = new HashSet<(string, string)>();
        foreach (var type in Library.GetTypes())
        {
            var from = Outermost(type);
            if (!IsOurs(from))
            {
                continue;                   // <PrivateImplementationDetails>, generated regular expressions and the like
            }
            foreach (var used in Uses(type).SelectMany(Flatten).Where(u => u.Assembly == Library))
            {
                var to = Outermost(used);
                if (IsOurs(to) && to != from)
                {
                    edges.Add((from.FullName!, to.FullName!));
                }
            }
        }
        return edges;
    }

    private static bool IsOurs(Type type) => type.Namespace is { } ns && (ns == "AmtSharp" || ns.StartsWith("AmtSharp.", StringComparison.Ordinal));

    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> Uses(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }
        foreach (var i in type.GetInterfaces())
        {
            yield return i;
        }
        foreach (var a in type.CustomAttributes)
        {
            yield return a.AttributeType;
        }
        foreach (var f in type.GetFields(Declared))
        {
            yield return f.FieldType;
        }
        foreach (var p in type.GetProperties(Declared))
        {
            yield return p.PropertyType;
        }
        foreach (var e in type.GetEvents(Declared))
        {
            yield return e.EventHandlerType!;
        }
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo mi)
            {
                yield return mi.ReturnType;
            }
            foreach (var p in m.GetParameters())
            {
                yield return p.ParameterType;
            }
            foreach (var used in BodyUses(m))
            {
                yield return used;
            }
        }
    }

    // Locals, and every token of the IL that names a type, field or method.
    private static IEnumerable<Type> BodyUses(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null)
        {
            yield break;
        }
        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach (var (operand, token) in Tokens(body.GetILAsByteArray() ?? []))
        {
            if (operand is OperandType.InlineType or OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok)
            {
                var member = method.Module.ResolveMember(token, typeArgs, methodArgs);
                if (member is Type t)
                {
                    yield return t;
                }
                else if (member?.DeclaringType is { } declaring)
                {
                    yield return declaring;
                    if (member is MethodInfo { IsGenericMethod: true } generic)
                    {
                        foreach (var arg in generic.GetGenericArguments())
                        {
                            yield return arg;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The string literals a method body loads.</summary>
    public static IEnumerable<string> StringLiterals(MethodBase method) =>
        Tokens(method.GetMethodBody()?.GetILAsByteArray() ?? [])
            .Where(t => t.Operand == OperandType.InlineString)
            .Select(t => method.Module.ResolveString(t.Token));

    /// <summary>Every method and constructor body of the library, with its outermost declaring type.</summary>
    public static IEnumerable<(Type Owner, MethodBase Method)> LibraryMethods() =>
        Library.GetTypes().Where(t => IsOurs(Outermost(t)))
            .SelectMany(t => t.GetMethods(Declared).Cast<MethodBase>().Concat(t.GetConstructors(Declared)).Select(m => (Outermost(t), m)));

    // The operand type and metadata token of every instruction whose operand is a 4-byte token.
    private static IEnumerable<(OperandType Operand, int Token)> Tokens(byte[] il)
    {
        int i = 0;
        while (i < il.Length)
        {
            var op = il[i] == 0xFE ? TwoByte[il[i + 1]] : OneByte[il[i]];
            i += op.Size;
            if (op.OperandType is OperandType.InlineType or OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok
                or OperandType.InlineString)
            {
                yield return (op.OperandType, BitConverter.ToInt32(il, i));
            }
            i += OperandSize(op, il, i);
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];

    static LayerTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            if (op.Size == 1)
            {
                OneByte[op.Value & 0xFF] = op;
            }
            else
            {
                TwoByte[op.Value & 0xFF] = op;
            }
        }
    }

    // Array, pointer, by-ref and generic arguments, recursively.
    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var t in Flatten(type.GetElementType()!))
            {
                yield return t;
            }
            yield break;
        }
        if (type.IsGenericParameter)
        {
            yield break;
        }
        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var t in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return t;
            }
        }
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }
        return type;
    }
}
