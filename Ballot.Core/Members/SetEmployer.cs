using Ballot.Core.Common;
using Ballot.Core.Data;
using Dapper;
using MediatR;

namespace Ballot.Core.Members;

/// <summary>Sets where an employer's notices go and which email domains are its own (an address there counts as work).</summary>
public static class SetEmployer
{
    public sealed record Command(string Name, string? ContactEmail, IReadOnlyList<string>? Domains) : IRequest<EmployerView>, IValidatable
    {
        public void Validate(Problems p)
        {
            p.Required("name", Name, 200);
            if (!string.IsNullOrWhiteSpace(ContactEmail)) p.MaxLength("contactEmail", ContactEmail, 254).Email("contactEmail", ContactEmail.Trim());
            if (Domains is { Count: > 50 }) p.Add("domains", "At most 50 domains.");
            foreach (var d in Domains ?? [])
                if (WorkEmail.Normalise(d) is null)
                    p.Add("domains", $"'{d}' is not a domain: write it as leeds.gov.uk, or *.sch.uk for every domain ending in .sch.uk.");
        }
    }

    public sealed class Handler(Db db) : IRequestHandler<Command, EmployerView>
    {
        public async Task<EmployerView> Handle(Command cmd, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            await using var tx = await db.BeginWriteAsync(conn, ct);
            if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM workplace WHERE employer = @Name", new { cmd.Name }, tx) == 0)
                throw new NotFound($"No workplace has the employer '{cmd.Name}'.");
            var contact = string.IsNullOrWhiteSpace(cmd.ContactEmail) ? null : cmd.ContactEmail.Trim();
            await conn.ExecuteAsync("""
                INSERT INTO employer (name, contact_email) VALUES (@Name, @contact)
                ON CONFLICT (name) DO UPDATE SET contact_email = excluded.contact_email
                """, new { cmd.Name, contact }, tx);
            await conn.ExecuteAsync("DELETE FROM employer_email_domain WHERE employer = @Name", new { cmd.Name }, tx);
            foreach (var d in (cmd.Domains ?? []).Select(WorkEmail.Normalise).OfType<string>().Distinct())
                await conn.ExecuteAsync("INSERT INTO employer_email_domain (employer, domain) VALUES (@Name, @d)", new { cmd.Name, d }, tx);
            var view = (await EmployerView.LoadAsync(conn, [cmd.Name], tx))[0];
            await tx.CommitAsync(ct);
            return view;
        }
    }
}
