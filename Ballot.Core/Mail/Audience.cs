using System.Text;
using System.Text.Json;
using Ballot.Core.Common;
using Dapper;

namespace Ballot.Core.Mail;

/// <summary>
/// Who a campaign mailing goes to: every active member with an email address, narrowed by any of these lists (a
/// member matches a list when it holds their value; all given lists must match). Empty or absent lists do not narrow.
/// </summary>
public sealed record Audience(string[]? Regions = null, string[]? Employers = null, long[]? WorkplaceIds = null, string[]? Categories = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static Audience FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? new Audience() : JsonSerializer.Deserialize<Audience>(json, Json) ?? new Audience();

    public void Validate(Problems p, string field = "audience")
    {
        foreach (var (name, list) in new[] { ("regions", Regions), ("employers", Employers), ("categories", Categories) })
        {
            if (list is null) continue;
            if (list.Length > 1000) p.Add($"{field}.{name}", $"{field}.{name} may list at most 1000 values.");
            if (list.Any(string.IsNullOrWhiteSpace)) p.Add($"{field}.{name}", $"{field}.{name} may not contain empty values.");
        }
        if (WorkplaceIds is { Length: > 1000 }) p.Add($"{field}.workplaceIds", $"{field}.workplaceIds may list at most 1000 values.");
    }

    /// <summary>SELECT member_id, email of the audience, for <see cref="MailQueue"/>.</summary>
    public (string Sql, DynamicParameters Args) Select()
    {
        var sql = new StringBuilder("""
            SELECT m.id AS member_id, m.email AS email
            FROM member m JOIN workplace w ON w.id = m.workplace_id
            WHERE m.status = 'active' AND m.erased_at IS NULL AND m.email IS NOT NULL
            """);
        var args = new DynamicParameters();
        void Filter(string column, string name, string[]? values)
        {
            if (values is not { Length: > 0 }) return;
            var names = new List<string>();
            for (var i = 0; i < values.Length; i++)
            {
                names.Add($"@{name}{i}");
                args.Add($"{name}{i}", values[i].Trim().ToLowerInvariant());
            }
            sql.Append($" AND lower({column}) IN ({string.Join(", ", names)})");
        }
        Filter("w.region", "region", Regions);
        Filter("w.employer", "employer", Employers);
        Filter("m.category", "category", Categories);
        if (WorkplaceIds is { Length: > 0 })
        {
            var names = new List<string>();
            for (var i = 0; i < WorkplaceIds.Length; i++)
            {
                names.Add($"@workplace{i}");
                args.Add($"workplace{i}", WorkplaceIds[i]);
            }
            sql.Append($" AND w.id IN ({string.Join(", ", names)})");
        }
        return (sql.ToString(), args);
    }
}
