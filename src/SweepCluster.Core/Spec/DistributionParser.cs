using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SweepCluster.Core.Spec;

/// <summary>
/// Parses the distribution expressions of <c>param_space</c>, such as <c>loguniform(0.0001, 0.01)</c> or
/// <c>choice(['adam', 'sgd'])</c>. Errors are sentences that say what would be right.
/// </summary>
public static partial class DistributionParser
{
    public static readonly ImmutableArray<string> Names =
        ["uniform", "loguniform", "quniform", "qloguniform", "normal", "randint", "range", "choice", "grid"];

    /// <summary>True for text shaped like a call, <c>name(...)</c>: such text is a distribution, never a constant.</summary>
    public static bool LooksLikeDistribution(string text) => CallShape().IsMatch(text);

    /// <summary>Returns the distribution, or null with <paramref name="error"/> set.</summary>
    public static Distribution? Parse(string text, out string? error)
    {
        error = null;
        try
        {
            var call = new Reader(text).ReadCall();
            return Build(call.Name, call.Args);
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>
    /// A value as written on a command line (<c>0.002</c>, <c>adam</c>, <c>[14,18]</c>, <c>'a b'</c>): numbers, booleans,
    /// null and lists as in distribution lists; any other bare word is a string.
    /// </summary>
    public static ParamValue ParseValue(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('[') || trimmed.StartsWith('\'') || trimmed.StartsWith('"'))
        {
            try
            {
                var arg = new Reader(trimmed).ReadWholeArg();
                return arg.List is { } list ? new ParamValue.List(list) : arg.Value!;
            }
            catch (FormatException)
            {
                return new ParamValue.Text(text);
            }
        }
        return ScalarResolver.ResolveLiteral(trimmed) ?? new ParamValue.Text(text);
    }

    /// <summary>A <c>key=value</c> setting (<c>lr=0.002</c>, <c>out_channels=[14,18]</c>), or null when it has no key.</summary>
    public static KeyValuePair<string, ParamValue>? ParseSetting(string setting)
    {
        var equals = setting.IndexOf('=');
        return equals <= 0 ? null : KeyValuePair.Create(setting[..equals], ParseValue(setting[(equals + 1)..]));
    }

    /// <summary>A literal as it may appear inside a list or as an argument.</summary>
    private sealed record Arg(ParamValue? Value, ImmutableArray<ParamValue>? List);

    private sealed record Call(string Name, ImmutableArray<Arg> Args);

    /// <summary>Draws between the bounds stay finite numbers: a width that overflows (uniform(-1e308, 1e308)) would draw infinity.</summary>
    private static void RequireFiniteWidth(string name, double lo, double hi) =>
        Require(double.IsFinite(lo) && double.IsFinite(hi) && double.IsFinite(hi - lo),
            $"{name}'s values must stay finite numbers, and these bounds let draws overflow to infinity (|hi - lo| is at most {double.MaxValue:G3})");

    private static Distribution Build(string name, ImmutableArray<Arg> args)
    {
        switch (name)
        {
            case "uniform":
                {
                    var (lo, hi) = Two(name, args);
                    Require(lo < hi, $"uniform needs lo < hi (got {Show(lo)}, {Show(hi)})");
                    RequireFiniteWidth(name, lo, hi);
                    return new Uniform(lo, hi);
                }
            case "loguniform":
                {
                    var (lo, hi) = Two(name, args);
                    Require(lo > 0, $"loguniform needs lo > 0 (got {Show(lo)})");
                    Require(lo < hi, $"loguniform needs lo < hi (got {Show(lo)}, {Show(hi)})");
                    return new LogUniform(lo, hi);
                }
            case "quniform":
                {
                    var (lo, hi, q) = Three(name, args);
                    Require(lo < hi, $"quniform needs lo < hi (got {Show(lo)}, {Show(hi)})");
                    Require(q > 0, $"quniform needs q > 0 (got {Show(q)})");
                    RequireFiniteWidth(name, lo, hi);
                    return new QUniform(lo, hi, q);
                }
            case "qloguniform":
                {
                    var (lo, hi, q) = Three(name, args);
                    Require(lo > 0, $"qloguniform needs lo > 0 (got {Show(lo)})");
                    Require(lo < hi, $"qloguniform needs lo < hi (got {Show(lo)}, {Show(hi)})");
                    Require(q > 0, $"qloguniform needs q > 0 (got {Show(q)})");
                    return new QLogUniform(lo, hi, q);
                }
            case "normal":
                {
                    var (mu, sigma) = Two(name, args);
                    Require(sigma > 0, $"normal needs sigma > 0 (got {Show(sigma)})");
                    RequireFiniteWidth(name, mu - 40 * sigma, mu + 40 * sigma);
                    return new Normal(mu, sigma);
                }
            case "randint":
                {
                    Require(args.Length == 2, $"randint takes 2 integers (lo, hi), both included; got {Arguments(args.Length)}");
                    long lo = Integer(name, args[0], "lo"), hi = Integer(name, args[1], "hi");
                    Require(lo <= hi, $"randint needs lo <= hi (got {lo}, {hi}); both bounds are included");
                    return new RandInt(lo, hi);
                }
            case "range":
                {
                    Require(args.Length is 2 or 3, $"range takes 2 or 3 integers (start, stop[, step]); got {Arguments(args.Length)}");
                    long start = Integer(name, args[0], "start"), stop = Integer(name, args[1], "stop");
                    var step = args.Length == 3 ? Integer(name, args[2], "step") : 1;
                    Require(step != 0, "range needs a step other than 0");
                    var range = new IntRange(start, stop, step);
                    Require(range.Count > 0, $"range({start}, {stop}, {step}) is empty (stop is excluded, as in Python)");
                    return range;
                }
            case "choice":
                return new Choice(NonEmptyList(name, args));
            case "grid":
                return new Grid(NonEmptyList(name, args));
            default:
                var hint = KeyHints.DidYouMean(name, Names);
                throw new FormatException(
                    $"unknown distribution '{name}'{(hint.Length > 0 ? hint : "; known: " + string.Join(", ", Names))}");
        }
    }

    private static (double, double) Two(string name, ImmutableArray<Arg> args)
    {
        Require(args.Length == 2, $"{name} takes 2 numbers; got {Arguments(args.Length)}");
        return (Number(name, args[0]), Number(name, args[1]));
    }

    private static (double, double, double) Three(string name, ImmutableArray<Arg> args)
    {
        Require(args.Length == 3, $"{name} takes 3 numbers (lo, hi, q); got {Arguments(args.Length)}");
        return (Number(name, args[0]), Number(name, args[1]), Number(name, args[2]));
    }

    private static double Number(string name, Arg arg) =>
        arg.Value?.AsNumber() ?? throw new FormatException($"{name} takes numbers; got {Describe(arg)}");

    private static long Integer(string name, Arg arg, string what) =>
        arg.Value is ParamValue.Int i ? i.Value : throw new FormatException($"{name} needs an integer {what}; got {Describe(arg)}");

    private static ImmutableArray<ParamValue> NonEmptyList(string name, ImmutableArray<Arg> args)
    {
        Require(args.Length == 1 && args[0].List is not null, $"{name} takes one list of values, e.g. {name}(['adam', 'sgd'])");
        var values = args[0].List!.Value;
        Require(values.Length > 0, $"{name} needs at least one value");
        return values;
    }

    private static string Describe(Arg arg) => arg.List is { } list ? ListLiteral.Format(list) : arg.Value is ParamValue.Text t ? $"'{t.Value}'" : arg.Value!.ToString();

    private static string Arguments(int count) => count == 1 ? "1 argument" : $"{count} arguments";

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new FormatException(message);
    }

    [GeneratedRegex(@"^\s*[A-Za-z_][A-Za-z0-9_]*\s*\(")]
    private static partial Regex CallShape();

    /// <summary>A recursive-descent reader over the expression text.</summary>
    private sealed class Reader(string text)
    {
        private int _pos;

        public Call ReadCall()
        {
            var name = ReadIdentifier();
            Expect('(');
            var args = ImmutableArray.CreateBuilder<Arg>();
            if (!TryConsume(')'))
            {
                do args.Add(ReadArg()); while (TryConsume(','));
                Expect(')');
            }
            SkipSpace();
            if (_pos < text.Length) throw Error($"unexpected '{text[_pos..]}' after the closing parenthesis");
            return new Call(name, args.ToImmutable());
        }

        public Arg ReadWholeArg()
        {
            var arg = ReadArg();
            SkipSpace();
            if (_pos < text.Length) throw Error($"unexpected '{text[_pos..]}'");
            return arg;
        }

        private Arg ReadArg()
        {
            SkipSpace();
            if (!TryConsume('[')) return new Arg(ReadLiteral(), null);
            var items = ImmutableArray.CreateBuilder<ParamValue>();
            while (!TryConsume(']'))
            {
                items.Add(ReadLiteral());
                if (!TryConsume(','))
                {
                    Expect(']');
                    break;
                }
            }
            return new Arg(null, items.ToImmutable());
        }

        private ParamValue ReadLiteral()
        {
            SkipSpace();
            if (_pos >= text.Length) throw Error("the expression ends early; a value is missing");
            var c = text[_pos];
            if (c is '\'' or '"') return ReadQuoted(c);
            var start = _pos;
            while (_pos < text.Length && !char.IsWhiteSpace(text[_pos]) && text[_pos] is not (',' or ')' or ']' or '[' or '(')) _pos++;
            var word = text[start.._pos];
            return ScalarResolver.ResolveLiteral(word)
                ?? throw Error(word.Length == 0
                    ? $"a value is missing at '{text[start..]}'"
                    : $"'{word}' is not a number, a quoted string, true/false or null");
        }

        private ParamValue.Text ReadQuoted(char quote)
        {
            var end = text.IndexOf(quote, _pos + 1);
            if (end < 0) throw Error($"the string starting at '{text[_pos..]}' has no closing {quote}");
            var value = text[(_pos + 1)..end];
            _pos = end + 1;
            return new ParamValue.Text(value);
        }

        private string ReadIdentifier()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            return text[start.._pos];
        }

        private bool TryConsume(char c)
        {
            SkipSpace();
            if (_pos >= text.Length || text[_pos] != c) return false;
            _pos++;
            return true;
        }

        private void Expect(char c)
        {
            if (!TryConsume(c))
                throw Error(_pos >= text.Length ? $"missing '{c}' at the end" : $"expected '{c}' at '{text[_pos..]}'");
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private static FormatException Error(string message) => new(message);
    }
}
