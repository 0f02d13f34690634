using System.Text;
using Ballot.Core.Common;
using Ballot.Core.Data;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>s.231A: the employers' notice of the result, as a Markdown document.</summary>
public static class EmployerNotice
{
    public sealed record Query(long Id) : IRequest<string>;

    public sealed class Handler(Db db) : IRequestHandler<Query, string>
    {
        public async Task<string> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var ballot = await BallotRow.LoadAsync(conn, q.Id);
            if (ballot.Status != "certified") throw new Conflict("The employers' notice is available once the scrutineer has certified the result.");
            if (!ballot.IsIndustrialAction) throw new Conflict("Only an industrial-action ballot has an employers' notice (s.231A).");
            var result = BallotResult.Parse(ballot.Result!);
            var rules = await RuleSet.ByCodeAsync(conn, ballot.RuleSet);
            var sb = new StringBuilder();
            sb.Append($"# Notice to employers of the result of an industrial-action ballot (s.231A TULRCA 1992)\n\n");
            sb.Append($"Ballot: {ballot.Title}\n\nVoting closed: {UnionTime.Shared.When(ballot.ClosesAt)}\n\n");
            sb.Append($"Rule set: {rules?.Name}\n\nCertified by the independent scrutineer on {UnionTime.Shared.When(ballot.CertifiedAt!.Value)}\n\n");
            Letters.AppendFigures(sb, result, includeYesNo: true, template: false);
            return sb.ToString();
        }
    }
}
