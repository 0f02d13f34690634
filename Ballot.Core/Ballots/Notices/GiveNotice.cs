using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots.Notices;

/// <summary>
/// Records a notice given to an employer: marked by the executive as given on a day (by hand, by post), or queued to be
/// emailed to the employer's contact address with the PDF attached (the worker sends it and records it given when sent).
/// Notices of the ballot and sample papers are given while the ballot is a draft; a notice of action after a certified mandate.
/// </summary>
public static class GiveNotice
{
    public sealed record Command(long BallotId, string Employer, string Kind, bool Email, DateTimeOffset? GivenAt, string Actor)
        : IRequest<GetNotices.View>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Required("employer", Employer, 200);
            if (Kind is null) p.Add("kind", "kind is required: ballot-notice, sample-paper or action-notice.");
            p.OneOf("kind", Kind, NoticeKinds.All);
            if (Email && GivenAt is not null) p.Add("givenAt", "An emailed notice is given when the worker sends it; leave givenAt out.");
        }
    }

    public sealed class Handler(Db db, TimeProvider clock, IMediator mediator) : IRequestHandler<Command, GetNotices.View>
    {
        public async Task<GetNotices.View> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            await using (var conn = await db.OpenAsync(ct))
            await using (var tx = await db.BeginWriteAsync(conn, ct))
            {
                var ballot = await BallotRow.LoadLockedAsync(conn, db.Dialect, cmd.BallotId, tx);
                await GetNotices.RulesFor(conn, ballot, now, tx);
                if (cmd.Kind == NoticeKinds.ActionNotice)
                {
                    var result = ballot.Result is null ? null : BallotResult.Parse(ballot.Result);
                    if (!(ballot.Status == "certified" && result?.Mandate == true))
                        throw new Conflict("A notice of industrial action (s.234A) follows a certified result that gives a mandate.");
                }
                else if (ballot.Status != "draft")
                    throw new Conflict($"The ballot is {ballot.Status}; notices of the ballot and sample papers are given before it opens.");
                var figures = (await NoticeFigures.ForBallotAsync(conn, ballot, tx)).SingleOrDefault(f => f.Employer == cmd.Employer)
                              ?? throw new NotFound($"'{cmd.Employer}' employs nobody in this ballot's electorate.");
                if (cmd.Email)
                {
                    if (string.IsNullOrWhiteSpace(figures.ContactEmail))
                        throw new Conflict($"{cmd.Employer} has no contact email for notices; set one on the employer's page, or mark the notice as given.");
                    await conn.ExecuteAsync("""
                        INSERT INTO employer_letter (ballot_id, employer, kind, email, sent_by, state, next_at, created_at)
                        VALUES (@BallotId, @Employer, @Kind, @email, @Actor, 'pending', @now, @now)
                        """, new { cmd.BallotId, cmd.Employer, cmd.Kind, email = figures.ContactEmail, cmd.Actor, now }, tx);
                    await Audit.AppendAsync(conn, tx, cmd.BallotId, "notice-queued", cmd.Actor,
                        new { employer = cmd.Employer, kind = cmd.Kind, email = figures.ContactEmail, total = figures.Total }, now);
                }
                else
                {
                    var at = cmd.GivenAt ?? now;
                    if (at > now) throw ValidationFailed.For("givenAt", "givenAt cannot be in the future: mark a notice once it has been given.");
                    if (at < ballot.CreatedAt.AddDays(-60)) throw ValidationFailed.For("givenAt", "givenAt is more than 60 days before the ballot was drafted.");
                    await RecordAsync(conn, tx, cmd.BallotId, cmd.Employer, cmd.Kind, "marked", at, null, cmd.Actor, now, figures.Total);
                }
                await tx.CommitAsync(ct);
            }
            return await mediator.Send(new GetNotices.Query(cmd.BallotId), ct);
        }
    }

    /// <summary>Writes the notice as given and its audit entry, inside the caller's write transaction.</summary>
    public static async Task RecordAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, long ballotId, string employer,
        string kind, string how, DateTimeOffset givenAt, string? email, string actor, DateTimeOffset now, long? total)
    {
        await conn.ExecuteAsync("""
            INSERT INTO ballot_employer_notice (ballot_id, employer, kind, how, given_at, email, recorded_by, recorded_at)
            VALUES (@ballotId, @employer, @kind, @how, @givenAt, @email, @actor, @now)
            """, new { ballotId, employer, kind, how, givenAt, email, actor, now }, tx);
        await Audit.AppendAsync(conn, tx, ballotId, "notice-given", actor, new { employer, kind, how, givenAt, email, total }, now);
    }
}
