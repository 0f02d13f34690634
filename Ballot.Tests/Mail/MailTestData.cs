using System.Data.Common;
using Ballot.Core.Mail;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Mail;

/// <summary>Helpers shared by the mail tests: a register with some awkward addresses, and reading mailing state.</summary>
public static class MailTestData
{
    /// <summary>The generated register plus members whose addresses make the test server misbehave.</summary>
    public static string Register(int count, params string[] specialLocalParts)
    {
        var csv = MemberCsv.Generate(count);
        var sb = new System.Text.StringBuilder(csv);
        var i = 0;
        foreach (var local in specialLocalParts)
        {
            i++;
            sb.Append($"S{i:D5},Special{i},Case{i},{local}@example.org,School 1,Employer 1,Region 1,teacher\n");
        }
        return sb.ToString();
    }

    public static async Task ImportAsync(ApiHost api, string csv)
    {
        using var org = await api.ClientFor(Ballot.Core.Staff.Roles.Organiser);
        (await org.PostAsync("/api/members/import", Http.Csv(csv))).EnsureSuccessStatusCode();
    }

    public static async Task<long> EnqueueAsync(ApiHost api, NewMailing mailing, string where = "1 = 1", object? args = null)
    {
        await using var conn = await api.OpenAsync();
        await using var tx = await api.Db.BeginWriteAsync(conn);
        var id = await MailQueue.EnqueueAsync(conn, tx, mailing,
            $"SELECT m.id AS member_id, m.email AS email FROM member m WHERE m.status = 'active' AND ({where})", args);
        await tx.CommitAsync();
        return id;
    }

    public static async Task<string> WaitForStatus(ApiHost api, long mailingId, string status, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(40));
        string? current = null;
        while (DateTime.UtcNow < until)
        {
            await using var conn = await api.OpenAsync();
            current = await conn.ExecuteScalarAsync<string>("SELECT status FROM mailing WHERE id = @mailingId", new { mailingId });
            if (current == status) return current;
            await Task.Delay(200);
        }
        Assert.Fail($"mailing {mailingId} is '{current}', not '{status}', after the wait");
        return current!;
    }

    public sealed class RecipientRow
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
        public string State { get; init; } = "";
        public int Attempts { get; init; }
        public string? LastError { get; init; }
    }

    public static async Task<List<RecipientRow>> Recipients(DbConnection conn, long mailingId) =>
        (await conn.QueryAsync<RecipientRow>(
            "SELECT id, email, state, attempts, last_error AS LastError FROM mailing_recipient WHERE mailing_id = @mailingId ORDER BY id",
            new { mailingId })).ToList();
}
