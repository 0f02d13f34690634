using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Dapper;
using MediatR;

namespace Ballot.Core.Ballots.Ceremony;

/// <summary>
/// The executive names a draft's trustees and t of n: the scrutineer, one or more executive members and a reserve, each
/// bound to the staff token their trustee command will present (ADR 0902). Once the ceremony has started, only a reset
/// lets the trustees change, so no edit changes them silently.
/// </summary>
public static class NameTrustees
{
    public const int DefaultThreshold = 2;
    public static readonly IReadOnlyList<string> TrusteeRoles = ["scrutineer", "executive", "reserve"];

    public sealed record TrusteeInput(string? Role, string? Name, string? Email, long? TokenId);

    public sealed record Input(int? Threshold, IReadOnlyList<TrusteeInput>? Trustees);

    public sealed record Command(long BallotId, Input Input, string Actor) : IRequest<GetCeremony.View>, IValidatable
    {
        public void Validate(Problems p)
        {
            var trustees = Input.Trustees ?? [];
            var n = trustees.Count;
            var t = Input.Threshold ?? DefaultThreshold;
            if (n < 3 || n > Sealing.CeremonySettings.MaxTrustees)
                p.Add("trustees", $"Name 3 to {Sealing.CeremonySettings.MaxTrustees} trustees: the scrutineer, one or more executive members and a reserve.");
            for (var i = 0; i < n; i++)
            {
                var x = trustees[i];
                if (x is null) { p.Add($"trustees[{i}]", "A trustee is required."); continue; }
                p.Required($"trustees[{i}].role", x.Role).OneOf($"trustees[{i}].role", x.Role, TrusteeRoles.ToArray())
                 .Required($"trustees[{i}].name", x.Name).MaxLength($"trustees[{i}].email", x.Email, 200);
                if (!string.IsNullOrWhiteSpace(x.Email)) p.Email($"trustees[{i}].email", x.Email.Trim());
                if (x.TokenId is not > 0) p.Add($"trustees[{i}].tokenId", "tokenId is required: the staff token this trustee's command will use.");
            }
            if (n >= 3 && trustees.All(x => x is not null))
            {
                if (trustees.Count(x => x.Role == "scrutineer") != 1) p.Add("trustees", "Exactly one trustee is the scrutineer.");
                if (!trustees.Any(x => x.Role == "executive")) p.Add("trustees", "At least one trustee is an executive member.");
                if (!trustees.Any(x => x.Role == "reserve")) p.Add("trustees", "At least one trustee is a reserve.");
                if (trustees.Where(x => x.TokenId is not null).GroupBy(x => x.TokenId).Any(g => g.Count() > 1))
                    p.Add("trustees", "Each trustee has a token of their own: one token holding two shares would break the threshold.");
            }
            // t >= 2: no one decrypts alone; t < n: the count survives one lost share (the recovery drill).
            if (t < 2 || (n >= 3 && t > n - 1)) p.Add("threshold", $"threshold must be from 2 to {Math.Max(2, n - 1)} (one fewer than the trustees, so that a lost share can be done without).");
        }
    }

    private sealed class TokenRow
    {
        public long Id { get; init; }
        public string Role { get; init; } = "";
        public DateTimeOffset? RevokedAt { get; init; }
    }

    public sealed class Handler(Db db, TimeProvider clock) : IRequestHandler<Command, GetCeremony.View>
    {
        public async Task<GetCeremony.View> Handle(Command cmd, CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            var trustees = cmd.Input.Trustees!;
            var threshold = cmd.Input.Threshold ?? DefaultThreshold;
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            var ballot = await BallotRow.LoadLockedAsync(conn, db.Dialect, cmd.BallotId, tx);
            if (ballot.Status != "draft") throw new Conflict($"The ballot is {ballot.Status}: its trustees were fixed when it opened.");
            var record = await CeremonyRecord.LoadAsync(conn, ballot.Id, tx);
            if (record.Started || record.Complete)
                throw new Conflict("The key ceremony has started: reset it before naming other trustees, and every trustee starts again.");

            var tokens = (await conn.QueryAsync<TokenRow>("SELECT id, role, revoked_at FROM staff_token WHERE " + db.Dialect.In("id", "ids"),
                new { ids = trustees.Select(x => x.TokenId!.Value).ToArray() }, tx)).ToDictionary(x => x.Id);
            var problems = new Problems();
            for (var i = 0; i < trustees.Count; i++)
            {
                var x = trustees[i];
                if (!tokens.TryGetValue(x.TokenId!.Value, out var token) || token.RevokedAt is not null)
                    problems.Add($"trustees[{i}].tokenId", $"There is no staff token {x.TokenId} in use.");
                else if (x.Role is Roles.Scrutineer or Roles.Executive && token.Role != x.Role)
                    problems.Add($"trustees[{i}].tokenId", $"The {x.Role} trustee's token must have the {x.Role} role; token {token.Id} has the {token.Role} role.");
            }
            problems.ThrowIfAny();

            await conn.ExecuteAsync("DELETE FROM ballot_trustee WHERE ballot_id = @id", new { id = ballot.Id }, tx);
            await conn.ExecuteAsync("DELETE FROM ballot_ceremony WHERE ballot_id = @id", new { id = ballot.Id }, tx);
            await conn.ExecuteAsync("INSERT INTO ballot_ceremony (ballot_id, threshold, trustees) VALUES (@id, @threshold, @n)",
                new { id = ballot.Id, threshold, n = trustees.Count }, tx);
            for (var i = 0; i < trustees.Count; i++)
                await conn.ExecuteAsync("""
                    INSERT INTO ballot_trustee (ballot_id, idx, role, name, email, staff_token_id) VALUES (@id, @idx, @role, @name, @email, @tokenId)
                    """, new
                {
                    id = ballot.Id, idx = i + 1, role = trustees[i].Role, name = trustees[i].Name!.Trim(),
                    email = string.IsNullOrWhiteSpace(trustees[i].Email) ? null : trustees[i].Email!.Trim(), tokenId = trustees[i].TokenId,
                }, tx);
            await Audit.AppendAsync(conn, tx, ballot.Id, "trustees-named", cmd.Actor, new
            {
                threshold, trustees = trustees.Select((x, i) => new { index = i + 1, role = x.Role, name = x.Name!.Trim(), tokenId = x.TokenId }),
            }, now);
            var view = GetCeremony.ViewOf(await CeremonyRecord.LoadAsync(conn, ballot.Id, tx));
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
