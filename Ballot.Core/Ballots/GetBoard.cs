using System.Data.Common;
using System.Text.Json;
using Ballot.Core.Ballots.Count;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>
/// The public bulletin board of a closed ballot (<see cref="Board"/>, ADR 0904): the ceremony transcript and key, every
/// sealed paper with its tracker, the sums, and once counted the trustees' partial decryptions, the totals and the result
/// hash. Before the count it is what the trustees decrypt from ("the board so far"). Anyone may read it once the ballot
/// has closed. Streamed: a million papers are written as they are read, never held in memory.
/// </summary>
public static class GetBoard
{
    public sealed record Query(long Id) : IRequest<Writer>;

    /// <summary>Everything but the papers, read when asked; the papers are read while writing.</summary>
    public sealed class Writer(Db db, Board head)
    {
        public Board Head => head;

        public async Task WriteAsync(Stream output, CancellationToken ct)
        {
            var o = SealingJson.Options;
            // Through a pipe: the serializer's own flushes then only hand bytes on, and every write to the stream is async.
            var pipe = System.IO.Pipelines.PipeWriter.Create(output, new System.IO.Pipelines.StreamPipeWriterOptions(leaveOpen: true));
            await using var json = new Utf8JsonWriter(pipe);
            json.WriteStartObject();
            json.WriteString("format", head.Format);
            json.WriteNumber("version", head.Version);
            json.WriteNumber("ballotId", head.BallotId);
            json.WriteString("title", head.Title);
            json.WritePropertyName("ceremony");
            JsonSerializer.Serialize(json, head.Ceremony, o);
            json.WritePropertyName("key");
            JsonSerializer.Serialize(json, head.Key, o);
            json.WritePropertyName("trustees");
            JsonSerializer.Serialize(json, head.Trustees, o);
            json.WritePropertyName("questions");
            JsonSerializer.Serialize(json, head.Questions, o);
            json.WritePropertyName("papers");
            json.WriteStartArray();
            await using (var conn = await db.OpenAsync(ct))
            await using (var cmd = conn.CreateCommand())
            {
                cmd.CommandText = "SELECT tracker, constituency, sealed FROM ballot_paper WHERE ballot_id = @id ORDER BY tracker";
                cmd.AddParameter("id", head.BallotId);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                var n = 0;
                while (await reader.ReadAsync(ct))
                {
                    var paper = new BoardPaper(reader.GetString(0), reader.GetString(1), SealedPaper.Decode((byte[])reader.GetValue(2)));
                    JsonSerializer.Serialize(json, paper, o);
                    if (++n % 512 == 0)
                    {
                        json.Flush();
                        await pipe.FlushAsync(ct);
                    }
                }
            }
            json.WriteEndArray();
            json.WritePropertyName("sums");
            JsonSerializer.Serialize(json, head.Sums, o);
            json.WritePropertyName("decryptions");
            JsonSerializer.Serialize(json, head.Decryptions, o);
            json.WritePropertyName("totals");
            JsonSerializer.Serialize(json, head.Totals, o);
            json.WriteString("resultHash", head.ResultHash);
            json.WriteEndObject();
            json.Flush();
            await pipe.CompleteAsync();
        }
    }

    private sealed class TrusteeRow
    {
        public int Idx { get; init; }
        public string Role { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Announcement { get; init; }
        public string? Dealing { get; init; }
        public string? Confirmation { get; init; }
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, Writer>
    {
        public async Task<Writer> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadWithoutResultAsync(conn, q.Id);
            if (ballot.Status == "draft") throw new NotFound(BallotRow.NoSuchBallot(q.Id));
            if (ballot.Status == "open") throw new Conflict("The ballot's board is published when the ballot closes.");
            return new Writer(db, await HeadAsync(conn, null, ballot));
        }
    }

    /// <summary>The board without its papers.</summary>
    public static async Task<Board> HeadAsync(DbConnection conn, DbTransaction? tx, BallotRow ballot)
    {
        var ceremony = await StoredCeremony.LoadAsync(conn, tx, ballot.Id) ?? throw new Conflict("The ballot has no completed key ceremony.");
        var trustees = (await conn.QueryAsync<TrusteeRow>(
                "SELECT idx, role, name, announcement, dealing, confirmation FROM ballot_trustee WHERE ballot_id = @id ORDER BY idx", new { id = ballot.Id }, tx))
            .Select(t => new BoardTrustee(t.Idx, t.Role, t.Name,
                t.Announcement is null ? null : SealingJson.Deserialize<TrusteeAnnouncement>(t.Announcement),
                t.Dealing is null ? null : SealingJson.Deserialize<DealerMessage>(t.Dealing),
                t.Confirmation is null ? null : SealingJson.Deserialize<TrusteeConfirmation>(t.Confirmation)))
            .ToList();
        var questions = ballot.Def.Questions.Select(x => new BoardQuestion(x.Id, x.Text, [.. x.Options, BallotInput.Spoiled])).ToList();
        var sums = await PaperSums.LoadAsync(conn, tx, ballot.Id);
        var counted = ballot.ResultHash is not null;
        // Partial decryptions are published with the count: until then fewer than t have answered, and the board is what trustees decrypt from.
        var decryptions = counted ? await SubmitDecryption.LoadDecryptionsAsync(conn, tx, ballot.Id) : [];
        var totals = counted ? sums.Select(s => new BoardTotal(s.Sum.Constituency, s.Sum.Question, s.Totals ?? [])).ToList() : [];
        return new Board(Board.FormatName, Board.CurrentVersion, ballot.Id, ballot.Title, ceremony.Settings, ceremony.Key, trustees, questions, [],
            [.. sums.Select(s => s.Sum)], decryptions, totals, ballot.ResultHash);
    }
}

/// <summary>A member looks up their tracker on the board: the sealed paper it names, once the ballot has closed.</summary>
public static class FindBoardPaper
{
    public sealed record Query(long Id, string Tracker) : IRequest<BoardPaper>;

    private sealed class Row
    {
        public string Tracker { get; init; } = "";
        public string Constituency { get; init; } = "";
        public byte[] Sealed { get; init; } = [];
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, BoardPaper>
    {
        public async Task<BoardPaper> Handle(Query q, CancellationToken ct)
        {
            var code = Receipts.Normalize(q.Tracker) ?? throw ValidationFailed.For("tracker", "A tracker is 64 letters a-f and digits; at least the first 16 will do.");
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadWithoutResultAsync(conn, q.Id);
            if (ballot.Status == "draft") throw new NotFound(BallotRow.NoSuchBallot(q.Id));
            if (ballot.Status == "open") throw new Conflict("The ballot's board is published when the ballot closes.");
            var row = await conn.QueryFirstOrDefaultAsync<Row>(
                "SELECT tracker, constituency, sealed FROM ballot_paper WHERE ballot_id = @id AND tracker >= @code AND tracker < @to ORDER BY tracker",
                new { id = q.Id, code, to = code + "~" }) ?? throw new NotFound($"No paper on the board of ballot {q.Id} has a tracker starting {code}.");
            return new BoardPaper(row.Tracker, row.Constituency, SealedPaper.Decode(row.Sealed));
        }
    }
}
