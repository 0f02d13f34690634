using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Staff.Accounts;

public static class ListAccounts
{
    public sealed record Query : IRequest<IReadOnlyList<AccountSummary>>;

    public sealed class AccountSummary
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Email { get; init; } = "";
        public string Role { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset? TwoFactorEnabledAt { get; init; }
        public DateTimeOffset? LockoutEnd { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public bool Authenticator => TwoFactorEnabledAt is not null;
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, IReadOnlyList<AccountSummary>>
    {
        public async Task<IReadOnlyList<AccountSummary>> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            return (await conn.QueryAsync<AccountSummary>("""
                SELECT id, name, email, role, status, two_factor_enabled_at AS TwoFactorEnabledAt, lockout_end AS LockoutEnd, created_at AS CreatedAt
                FROM staff_account ORDER BY CASE status WHEN 'disabled' THEN 1 ELSE 0 END, name, id
                """)).AsList();
        }
    }
}

public static class GetAccount
{
    public sealed record Query(long Id) : IRequest<View>;

    public sealed record View(ListAccounts.AccountSummary Account, IReadOnlyList<Event> History, IReadOnlyList<Letter> Letters);

    public sealed class Event
    {
        public DateTimeOffset At { get; init; }
        public string Actor { get; init; } = "";
        public string Action { get; init; } = "";
        public string? Detail { get; init; }
    }

    public sealed class Letter
    {
        public string Kind { get; init; } = "";
        public string State { get; init; } = "";
        public string SentBy { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? SentAt { get; init; }
        public string? LastError { get; init; }
    }

    public sealed class Handler(Db db) : IRequestHandler<Query, View>
    {
        public async Task<View> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            var account = await conn.QuerySingleOrDefaultAsync<ListAccounts.AccountSummary>("""
                SELECT id, name, email, role, status, two_factor_enabled_at AS TwoFactorEnabledAt, lockout_end AS LockoutEnd, created_at AS CreatedAt
                FROM staff_account WHERE id = @Id
                """, new { q.Id }) ?? throw new Common.NotFound($"No staff account with id {q.Id}.");
            var history = (await conn.QueryAsync<Event>(
                "SELECT at, actor, action, detail FROM staff_account_event WHERE account_id = @Id ORDER BY id DESC", new { q.Id })).AsList();
            var letters = (await conn.QueryAsync<Letter>("""
                SELECT kind, state, sent_by AS SentBy, created_at AS CreatedAt, sent_at AS SentAt, last_error AS LastError
                FROM staff_letter WHERE account_id = @Id ORDER BY id DESC
                """, new { q.Id })).AsList();
            return new View(account, history, letters);
        }
    }
}
