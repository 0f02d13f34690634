using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Leaflets.Composition;
using Ballot.Core.Mail;
using MediatR;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Ballots.Notices;

/// <summary>One employer's notice, sample voting paper or notice of action as a PDF, as it would be given today.</summary>
public static class GetNoticePdf
{
    public sealed record Query(long BallotId, string Employer, string Kind) : IRequest<Result>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Required("employer", Employer, 200);
            p.OneOf("kind", Kind, NoticeKinds.All);
        }
    }

    public sealed record Result(byte[] Pdf, string FileName);

    public sealed class Handler(Db db, TimeProvider clock, IOptions<MailOptions> mail) : IRequestHandler<Query, Result>
    {
        public async Task<Result> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var pdf = await RenderAsync(conn, q.BallotId, q.Employer, q.Kind, clock.GetUtcNow(), mail.Value.UnionName);
            var slug = new string(q.Employer.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
            return new Result(pdf, $"ballot-{q.BallotId}-{q.Kind}-{(slug.Length > 60 ? slug[..60] : slug)}.pdf");
        }
    }

    /// <summary>Draws the document for one employer of the ballot's electorate, dated <paramref name="on"/>; the worker attaches the same.</summary>
    public static async Task<byte[]> RenderAsync(System.Data.Common.DbConnection conn, long ballotId, string employer, string kind, DateTimeOffset on, string union)
    {
        var ballot = await BallotRow.LoadWithoutResultAsync(conn, ballotId);
        var rules = await GetNotices.RulesFor(conn, ballot, on);
        var figures = (await NoticeFigures.ForBallotAsync(conn, ballot)).SingleOrDefault(f => f.Employer == employer)
                      ?? throw new NotFound($"'{employer}' employs nobody in this ballot's electorate.");
        var view = await ballot.ToViewAsync(conn);
        var result = await CountedResults.OfAsync(conn, ballot);
        if (kind == NoticeKinds.ActionNotice && !(ballot.Status == "certified" && result?.Mandate == true))
            throw new Conflict("A notice of industrial action follows a certified result that gives a mandate.");
        var doc = kind switch
        {
            NoticeKinds.BallotNotice => NoticeDocuments.BallotNotice(view, rules, figures, union, NoticeRules.Day(on)),
            NoticeKinds.SamplePaper => NoticeDocuments.SamplePaper(view, rules),
            _ => NoticeDocuments.ActionNotice(view, rules, figures, union, NoticeRules.Day(on), result?.MandateExpires),
        };
        try { return doc.Render().Bytes; }
        catch (LayoutException e) { throw ValidationFailed.For(e.Part ?? "ballot", e.Message); }
    }
}
