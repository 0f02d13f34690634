using System.Text;

namespace Ballot.Core.Common;

/// <summary>
/// A small RFC 4180 reader that keeps the line number of each record, so every problem in an import
/// can be reported as "line N, column C". Quoted fields may hold commas, doubled quotes and line breaks.
/// </summary>
public sealed class CsvLines(TextReader reader)
{
    private int _nextLine = 1;

    /// <summary>
    /// A record's fields are ranges of one string: the line itself when nothing is quoted, so reading a field copies
    /// nothing and the caller keeps only the fields it needs (a 450,000-row import keeps a third of them, ADR 0911).
    /// </summary>
    public readonly record struct Record(int Line, string Text, Range[]? Fields, string? Error)
    {
        public int Count => Fields!.Length;

        public ReadOnlySpan<char> this[int field] => Text.AsSpan(Fields![field]);
    }

    public IEnumerable<Record> Read()
    {
        while (reader.ReadLine() is { } line)
        {
            var start = _nextLine++;
            if (line.Length == 0) continue;
            if (line.IndexOf('"') < 0)
            {
                yield return new Record(start, line, Split(line), null);
                continue;
            }
            yield return ParseQuoted(line, start);
        }
    }

    private static Range[] Split(string line)
    {
        var fields = new Range[line.AsSpan().Count(',') + 1];
        var from = 0;
        for (var i = 0; i < fields.Length - 1; i++)
        {
            var comma = line.IndexOf(',', from);
            fields[i] = from..comma;
            from = comma + 1;
        }
        fields[^1] = from..line.Length;
        return fields;
    }

    private Record ParseQuoted(string line, int start)
    {
        var fields = new List<Range>();
        var sb = new StringBuilder();
        var from = 0;
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        // The quoted field continues on the next physical line.
                        var next = reader.ReadLine();
                        if (next is null) return new Record(start, "", null, "A quoted field is not closed before the end of the file.");
                        _nextLine++;
                        sb.Append('\n');
                        line = next;
                        i = 0;
                        continue;
                    }
                    var c = line[i++];
                    if (c != '"') { sb.Append(c); continue; }
                    if (i < line.Length && line[i] == '"') { sb.Append('"'); i++; continue; }
                    break;
                }
                if (i < line.Length && line[i] != ',')
                    return new Record(start, "", null, $"Unexpected character '{line[i]}' after a closing quote.");
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                var raw = line.AsSpan(i, end - i);
                if (raw.IndexOf('"') >= 0) return new Record(start, "", null, "A quote appears inside an unquoted field.");
                sb.Append(raw);
                i = end;
            }
            fields.Add(from..sb.Length);
            from = sb.Length;
            if (i >= line.Length) break;
            i++; // the comma
            if (i == line.Length) { fields.Add(from..from); break; }
        }
        return new Record(start, sb.ToString(), fields.ToArray(), null);
    }
}
