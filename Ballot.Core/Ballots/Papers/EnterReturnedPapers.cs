using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots.Papers;

/// <summary>
/// The scrutineer, or staff acting for them, records a batch of returned voting papers: each by its serial number (typed)
/// or the link or short code read from its QR code, with the answers marked on it. A paper counts exactly like an online
/// vote: the elector's participation is claimed and the marks, sealed under the ballot's key as an online vote is
/// (<see cref="Voting.BallotSealer"/>), join ballot_paper with their tracker, in one transaction, so the first vote of a
/// member stands whichever channel it came by. The counted papers' running sums (ADR 0907) are written in that
/// transaction too, under a writer id of this batch's own. See docs/decisions/0610, 0903 and 0907.
/// </summary>
public static class EnterReturnedPapers
{
    public const int MaxPapers = 1000;

    /// <param name="Answers">question id to the option marked; a missing, blank or unreadable mark is spoiled, as online.</param>
    public sealed record Paper(string? Serial, string? Code, IReadOnlyDictionary<string, string?>? Answers);

    public sealed record Command(long BallotId, IReadOnlyList<Paper>? Papers) : IRequest<Result>, IValidatable
    {
        public string Actor { get; init; } = "";

        public void Validate(Problems p)
        {
            if (Papers is not { Count: > 0 }) { p.Add("papers", "papers must list at least one returned paper."); return; }
            if (Papers.Count > MaxPapers) p.Add("papers", $"A batch holds at most {MaxPapers} papers; enter the rest as another batch.");
            for (var i = 0; i < Papers.Count && i < MaxPapers; i++)
            {
                var paper = Papers[i];
                if (paper is null) { p.Add($"papers[{i}]", "A paper is required."); continue; }
                if (PaperCodes.Serial(paper.Serial) is null && PaperCodes.CredentialIn(paper.Code) is null && PaperCodes.Normalize(paper.Code) is null)
                    p.Add($"papers[{i}]", "Give the paper's serial number (digits) or the code from its QR code.");
            }
        }
    }

    /// <summary>
    /// Papers as typed into the console, one a line: the serial number (or the code read from the QR code), then the answer
    /// marked for each question in the order of the paper, separated by commas; an empty answer is a blank (spoiled) one.
    /// </summary>
    public static List<Paper> ParseLines(IReadOnlyList<Question> questions, string? text)
    {
        var papers = new List<Paper>();
        var lines = (text ?? "").Split('\n').Select(l => l.Trim()).ToList();
        for (var n = 0; n < lines.Count; n++)
        {
            if (lines[n].Length == 0) continue;
            var fields = lines[n].Split(',').Select(f => f.Trim()).ToList();
            if (fields.Count - 1 > questions.Count)
                throw ValidationFailed.For("papers", $"Line {n + 1} has {fields.Count - 1} answers; the paper has {questions.Count} question(s).");
            var answers = new Dictionary<string, string?>();
            for (var q = 0; q < questions.Count; q++) answers[questions[q].Id] = q + 1 < fields.Count ? fields[q + 1] : null;
            var first = fields[0];
            papers.Add(PaperCodes.Serial(first) is not null ? new Paper(first, null, answers) : new Paper(null, first, answers));
        }
        return papers;
    }

    /// <param name="Outcome">counted, duplicate (its member had already voted: set aside), late (refused), already-entered or unknown (refused).</param>
    /// <param name="Receipt">for a counted paper: its tracker, shown to whoever enters it (the member never sees it).</param>
    public sealed record PaperOutcome(int Index, string? Serial, string Outcome, string? Receipt, string Message);

    public sealed record Result(long BatchId, int Papers, int Counted, int Duplicates, int Late, int Refused, IReadOnlyList<PaperOutcome> Outcomes);

    private sealed class Issued
    {
        public long Serial { get; init; }
        public long MemberId { get; init; }
        public string? Returned { get; init; }
    }

    /// <summary>The same claim an online vote makes (VoteWriter): exactly one vote per elector, whichever channel is first.</summary>
    private const string Claim = "UPDATE ballot_elector SET voted = 1, voted_hour = @hour WHERE ballot_id = @ballotId AND member_id = @memberId AND voted = 0";

    public sealed class Handler(Db db, TimeProvider clock, Voting.BallotSealer sealer) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
            await using var conn = await db.OpenAsync(ct);
            var paper = await BallotRow.LoadAsync(conn, cmd.BallotId);
            var questions = paper.Def.Questions;
            for (var i = 0; i < cmd.Papers!.Count; i++)
            {
                var unknown = (cmd.Papers[i].Answers?.Keys ?? []).Where(k => questions.All(q => q.Id != k)).ToList();
                if (unknown.Count > 0)
                    throw ValidationFailed.For($"papers[{i}].answers",
                        $"Unknown question id(s): {string.Join(", ", unknown)}. The questions are: {string.Join(", ", questions.Select(q => q.Id))}.");
            }

            // Sealed before the write transaction, as an online vote is before the writer's batch: sealing is the slow part.
            var sealedPapers = new Voting.SealedVote[paper.Status == "draft" ? 0 : cmd.Papers.Count];
            for (var i = 0; i < sealedPapers.Length; i++) sealedPapers[i] = await sealer.SealAsync(cmd.BallotId, questions, cmd.Papers[i].Answers, ct);
            var outcomes = new List<PaperOutcome>(cmd.Papers.Count);
            var duplicates = new List<string>();
            var late = new List<string>();
            var running = new Voting.RunningSums();
            var sums = running.Begin();
            long batchId;
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                // Locked: a close waits for the batch (and counts it) or the batch sees the ballot closed.
                var ballot = await BallotRow.LoadLockedAsync(conn, db.Dialect, cmd.BallotId, tx);
                if (ballot.Status == "draft") throw new Conflict("The ballot is a draft: it has no voting papers yet.");
                if (now < ballot.OpensAt && ballot.Status == "open")
                    throw new Conflict($"Voting opens on {UnionTime.Shared.When(ballot.OpensAt)}; enter returned papers from then.");
                var isLate = ballot.Status != "open" || now >= ballot.ClosesAt;
                batchId = await conn.ExecuteScalarAsync<long>("""
                    INSERT INTO ballot_return_batch (ballot_id, entered_by, entered_at, papers, counted, duplicates, late, refused)
                    VALUES (@ballotId, @actor, @now, 0, 0, 0, 0, 0) RETURNING id
                    """, new { ballotId = cmd.BallotId, actor = cmd.Actor, now }, tx);
                for (var i = 0; i < cmd.Papers.Count; i++)
                {
                    var p = cmd.Papers[i];
                    var issued = await FindAsync(conn, tx, cmd.BallotId, p);
                    if (issued is null)
                    {
                        outcomes.Add(new(i, p.Serial, "unknown", null, "No voting paper of this ballot has this serial number or code."));
                        continue;
                    }
                    var serial = PaperCodes.SerialText(issued.Serial);
                    if (issued.Returned is not null)
                    {
                        outcomes.Add(new(i, serial, "already-entered", null, $"Paper {serial} was already entered ({issued.Returned}); it is refused."));
                        continue;
                    }
                    string returned;
                    if (isLate)
                    {
                        returned = "late";
                        late.Add(serial);
                        outcomes.Add(new(i, serial, "late", null, $"Paper {serial} arrived after voting closed; it is refused and listed as late."));
                    }
                    else if (await conn.ExecuteAsync(Claim, new { hour, ballotId = cmd.BallotId, memberId = issued.MemberId }, tx) != 1)
                    {
                        returned = "duplicate";
                        duplicates.Add(serial);
                        outcomes.Add(new(i, serial, "duplicate", null,
                            $"Paper {serial}'s member had already voted: the first vote stands and this paper is set aside as a duplicate."));
                    }
                    else
                    {
                        returned = "counted";
                        var sealedPaper = sealedPapers[i];
                        var constituency = await conn.ExecuteScalarAsync<string>(
                            "SELECT constituency FROM ballot_elector WHERE ballot_id = @ballotId AND member_id = @memberId",
                            new { ballotId = cmd.BallotId, memberId = issued.MemberId }, tx);
                        // The same row an online vote writes: no serial, no member, no time (ADR 0200).
                        await conn.ExecuteAsync("INSERT INTO ballot_paper (ballot_id, tracker, constituency, sealed) VALUES (@ballotId, @tracker, @constituency, @sealed)",
                            new { ballotId = cmd.BallotId, tracker = sealedPaper.Tracker, constituency, @sealed = sealedPaper.Sealed }, tx);
                        sums.Add(cmd.BallotId, constituency!, sealedPaper);
                        outcomes.Add(new(i, serial, "counted", Receipts.Display(sealedPaper.Tracker), $"Paper {serial} is counted."));
                    }
                    await conn.ExecuteAsync("""
                        UPDATE ballot_voting_paper SET returned = @returned, return_batch = @batchId WHERE ballot_id = @ballotId AND serial = @serial
                        """, new { returned, batchId, ballotId = cmd.BallotId, serial = issued.Serial }, tx);
                }
                int Count(string o) => outcomes.Count(x => x.Outcome == o);
                var refused = Count("unknown") + Count("already-entered");
                await conn.ExecuteAsync("""
                    UPDATE ballot_return_batch SET papers = @papers, counted = @counted, duplicates = @duplicates, late = @late, refused = @refused
                    WHERE id = @batchId
                    """, new { batchId, papers = outcomes.Count, counted = Count("counted"), duplicates = duplicates.Count, late = late.Count, refused }, tx);
                await Audit.AppendAsync(conn, tx, cmd.BallotId, "returned-papers-entered", cmd.Actor,
                    new { batch = batchId, papers = outcomes.Count, counted = Count("counted"), duplicates = duplicates.Count, late = late.Count, refused, lateSerials = late }, now);
                foreach (var serial in duplicates)
                    await Audit.AppendAsync(conn, tx, cmd.BallotId, "returned-paper-duplicate", cmd.Actor, new { batch = batchId, serial }, now);
                await conn.ExecuteAsync(Voting.RunningSums.UpsertSql, sums.Rows().Select(r =>
                    new { b = r.BallotId, w = running.Writer, c = r.Constituency, n = r.Papers, s = r.Ciphertexts }), tx);
                await tx.CommitAsync(ct);
            }
            return new Result(batchId, outcomes.Count, outcomes.Count(o => o.Outcome == "counted"), duplicates.Count, late.Count,
                outcomes.Count(o => o.Outcome is "unknown" or "already-entered"), outcomes);
        }

        private static async Task<Issued?> FindAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, long ballotId, Paper p)
        {
            const string select = "SELECT v.serial AS Serial, v.member_id AS MemberId, v.returned AS Returned FROM ballot_voting_paper v";
            if (PaperCodes.Serial(p.Serial) is { } serial)
                return await conn.QuerySingleOrDefaultAsync<Issued>(select + " WHERE v.ballot_id = @ballotId AND v.serial = @serial", new { ballotId, serial }, tx);
            if (PaperCodes.CredentialIn(p.Code) is { } credential)
                return await conn.QuerySingleOrDefaultAsync<Issued>(select + """
                     JOIN ballot_elector e ON e.ballot_id = v.ballot_id AND e.member_id = v.member_id
                    WHERE v.ballot_id = @ballotId AND e.credential_hash = @hash
                    """, new { ballotId, hash = Credentials.Hash(credential) }, tx);
            if (PaperCodes.Normalize(p.Code) is { } code)
                return await conn.QuerySingleOrDefaultAsync<Issued>(select + " WHERE v.ballot_id = @ballotId AND v.short_code_hash = @hash",
                    new { ballotId, hash = PaperCodes.Hash(code) }, tx);
            return null;
        }
    }
}
