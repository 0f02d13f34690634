using System.Text;

namespace Ballot.Core.Common;

/// <summary>
/// A small RFC 4180 reader that keeps the line number of each record, so every problem in an import
/// can be reported as "line N, column C". Quoted fields may hold commas, doubled quotes and line breaks.
/// </summary>
public sealed class CsvLines(TextReader reader)
{
    private int _nextLine = 1;

    public readonly record struct Record(int Line, string[]? Fields, string? Error);

    public IEnumerable<Record> Read()
    {
        while (reader.ReadLine() is { } line)
        {
            var start = _nextLine++;
            if (line.Length == 0) continue;
            if (line.IndexOf('"') < 0)
            {
                yield return new Record(start, line.Split(','), null);
                continue;
            }
            yield return ParseQuoted(line, start);
        }
    }

    private Record ParseQuoted(string line, int start)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
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
                        if (next is null) return new Record(start, null, "A quoted field is not closed before the end of the file.");
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
                    return new Record(start, null, $"Unexpected character '{line[i]}' after a closing quote.");
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                var raw = line.AsSpan(i, end - i);
                if (raw.IndexOf('"') >= 0) return new Record(start, null, "A quote appears inside an unquoted field.");
                sb.Append(raw);
                i = end;
            }
            fields.Add(sb.ToString());
            sb.Clear();
            if (i >= line.Length) break;
            i++; // the comma
            if (i == line.Length) { fields.Add(""); break; }
        }
        return new Record(start, fields.ToArray(), null);
    }
}
