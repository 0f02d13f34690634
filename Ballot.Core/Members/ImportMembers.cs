using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using System.Text;
using System.Text.RegularExpressions;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using Dapper;
using MediatR;
using Ballot.Core.Members.Import;

namespace Ballot.Core.Members;

/// <summary>
/// Upserts the register from CSV by membership number, all or nothing: one bad row and nothing is written.
/// Built for a whole union (450,000 rows): the file is validated in memory, compared with the register
/// loaded once, and only new or changed rows are written, in one transaction.
/// </summary>
public static partial class ImportMembers
{
    /// <param name="By">who imports: every email, status, home address or email kind the import changes is recorded with them (ADR 0220, 0620).</param>
    public sealed record Command(Stream Csv, StaffActor By) : IRequest<Result>;

    public sealed record Result(int Created, int Updated, int Unchanged);

    public const int MaxReportedProblems = 1000;

    private static readonly string[] Required = ["membership_number", "first_name", "last_name", "email", "workplace", "employer", "region", "category"];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9/._-]{0,31}$")]
    private static partial Regex MembershipNumberPattern();

    internal sealed record Row(int Line, string Number, string First, string Last, string Email, string Workplace, string Employer, string Region, string Category, string? Status)
    {
        /// <summary>Null when the file has no address columns: the register keeps what it holds.</summary>
        public HomeAddress? Home { get; init; }

        /// <summary>'personal', 'work' or null (not known); <see cref="HasEmailKind"/> false when the file has no such column.</summary>
        public string? EmailKind { get; init; }

        public bool HasEmailKind { get; init; }
    }

    /// <summary>A member's home address as the register holds it, for papers sent by post (s.230).</summary>
    public sealed record HomeAddress(string? Line1, string? Line2, string? Line3, string? Town, string? Postcode);

    private static readonly HomeAddress NoHome = new(null, null, null, null, null);

    private static readonly string[] AddressColumns = ["address_line1", "address_line2", "address_line3", "town", "postcode"];

    private sealed class Existing
    {
        public long Id { get; init; }
        public string MembershipNumber { get; init; } = "";
        public string? FirstName { get; init; }
        public string? LastName { get; init; }
        public string? Email { get; init; }
        public long WorkplaceId { get; init; }
        public string Category { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset? ErasedAt { get; init; }
        public string? AddressLine1 { get; init; }
        public string? AddressLine2 { get; init; }
        public string? AddressLine3 { get; init; }
        public string? Town { get; init; }
        public string? Postcode { get; init; }
        public string? EmailKind { get; init; }

        public HomeAddress Home => new(AddressLine1, AddressLine2, AddressLine3, Town, Postcode);
    }

    private sealed record WorkplaceRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Employer { get; init; } = "";
        public string Region { get; init; } = "";
    }

    internal sealed record Change(long Id, Row Row, long WorkplaceId, string Status, HomeAddress Home, string? EmailKind);

    internal sealed class Handler(Db db, TimeProvider clock, ILogger<Handler> log, IRegisterWriter writer) : IRequestHandler<Command, Result>
    {
        public async Task<Result> Handle(Command cmd, CancellationToken ct)
        {
            var started = Stopwatch.GetTimestamp();
            await using var conn = await db.OpenAsync(ct);
            var categories = await Categories.LoadNamesAsync(conn);
            var rows = Parse(cmd.Csv, categories);
            var parsed = Stopwatch.GetElapsedTime(started);

            await using var tx = await db.BeginWriteAsync(conn, ct);
            // Two imports at once must not both create the same member: SQLite's BEGIN IMMEDIATE already
            // serialises writers; PostgreSQL needs a lock held until this transaction ends (taken here).
            var after = await MemberChanges.BeginAsync(conn, db.Dialect, tx);
            var workplaces = (await conn.QueryAsync<WorkplaceRow>("SELECT id, name, employer, region FROM workplace", transaction: tx))
                .ToDictionary(w => (w.Name, w.Employer));
            var existing = (await conn.QueryAsync<Existing>("""
                SELECT id, membership_number AS MembershipNumber, first_name AS FirstName, last_name AS LastName, email,
                       workplace_id AS WorkplaceId, category, status, erased_at AS ErasedAt, address_line1 AS AddressLine1,
                       address_line2 AS AddressLine2, address_line3 AS AddressLine3, town, postcode, email_kind AS EmailKind
                FROM member
                """, transaction: tx)).ToDictionary(m => m.MembershipNumber, StringComparer.Ordinal);

            var newWorkplaces = new List<NewWorkplace>();
            var regions = new Dictionary<long, string>();
            foreach (var r in rows)
            {
                var key = (r.Workplace, r.Employer);
                if (!workplaces.TryGetValue(key, out var w))
                {
                    newWorkplaces.Add(new NewWorkplace(r.Workplace, r.Employer, r.Region));
                    workplaces[key] = new WorkplaceRow { Id = 0, Name = r.Workplace, Employer = r.Employer, Region = r.Region };
                }
                else if (w.Region != r.Region)
                {
                    if (w.Id != 0) regions[w.Id] = r.Region;
                    workplaces[key] = w with { Region = r.Region };
                }
            }
            foreach (var (key, id) in await writer.AddWorkplacesAsync(conn, tx, newWorkplaces.Select(n => n with { Region = workplaces[(n.Name, n.Employer)].Region }).ToList(), ct))
                workplaces[key] = workplaces[key] with { Id = id };
            await writer.SetRegionsAsync(conn, tx, regions.Select(kv => (kv.Key, kv.Value)).ToList(), ct);

            var inserts = new List<Change>();
            var updates = new List<Change>();
            var unchanged = 0;
            var changes = new List<MemberChanges.Change>();
            foreach (var r in rows)
            {
                var wid = workplaces[(r.Workplace, r.Employer)].Id;
                if (!existing.TryGetValue(r.Number, out var m))
                {
                    inserts.Add(new Change(0, r, wid, r.Status ?? "active", r.Home ?? NoHome, r.EmailKind));
                    continue;
                }
                var status = r.Status ?? m.Status;
                var home = r.Home ?? m.Home;
                var emailKind = r.HasEmailKind ? r.EmailKind : m.EmailKind;
                if (m.FirstName == r.First && m.LastName == r.Last && m.Email == r.Email && m.WorkplaceId == wid
                    && m.Category == r.Category && m.Status == status && m.ErasedAt is null && m.Home == home && m.EmailKind == emailKind)
                    unchanged++;
                else
                {
                    updates.Add(new Change(m.Id, r, wid, status, home, emailKind));
                    if (m.Email != r.Email) changes.Add(new(m.Id, "email", m.Email, r.Email));
                    if (m.Status != status) changes.Add(new(m.Id, "status", m.Status, status));
                    changes.AddRange(MemberChanges.OfHome(m.Id, m.Home, r.Home, m.EmailKind, emailKind, r.HasEmailKind));
                }
            }

            var compared = Stopwatch.GetElapsedTime(started);
            var now = clock.GetUtcNow();
            await writer.WriteMembersAsync(conn, tx, inserts, updates, now, ct);
            // Changed addresses do not move open ballots' letters or papers (those go to the addresses frozen at opening);
            // they are recorded, and told to the old email address where the member is an elector of an open ballot.
            var written = Stopwatch.GetElapsedTime(started);
            await MemberChanges.RecordAsync(conn, db.Dialect, tx, changes, "import", cmd.By, now, ct);
            var recorded = Stopwatch.GetElapsedTime(started);
            var notices = changes.Count == 0 ? 0 : await MemberChanges.AnnounceAsync(conn, tx, after, "import", cmd.By, now);
            var announced = Stopwatch.GetElapsedTime(started);
            await tx.CommitAsync(ct);
            log.LogInformation("Register import: {Created} created, {Updated} updated, {Unchanged} unchanged, {Changes} changes recorded, {Notices} notices queued, in {TotalMs:0} ms (parse {ParseMs:0} ms, compare {CompareMs:0} ms, write {WriteMs:0} ms, record changes {RecordMs:0} ms, announce {AnnounceMs:0} ms)",
                inserts.Count, updates.Count, unchanged, changes.Count, notices, Stopwatch.GetElapsedTime(started).TotalMilliseconds, parsed.TotalMilliseconds,
                (compared - parsed).TotalMilliseconds, (written - compared).TotalMilliseconds, (recorded - written).TotalMilliseconds, (announced - recorded).TotalMilliseconds);
            return new Result(inserts.Count, updates.Count, unchanged);
        }
    }

    /// <summary>
    /// Header names as membership systems export them ("Membership No", "Forename", "E-mail") to our columns; compared
    /// in lower case with spaces, hyphens, underscores and dots removed. Any other header stays as written.
    /// </summary>
    private static readonly Dictionary<string, string> HeaderAliases = new[]
    {
        ("membership_number", new[] { "membershipnumber", "membershipno", "membershipnum", "membernumber", "memberno", "membershipid", "memberid" }),
        ("first_name", ["firstname", "forename", "forenames", "givenname"]),
        ("last_name", ["lastname", "surname", "familyname"]),
        ("email", ["email", "emailaddress"]),
        ("workplace", ["workplace", "workplacename"]),
        ("employer", ["employer", "employername"]),
        ("region", ["region", "regionname"]),
        ("category", ["category", "membershipcategory", "membercategory"]),
        ("status", ["status", "membershipstatus", "memberstatus"]),
        ("address_line1", ["addressline1", "address1", "address", "homeaddress", "homeaddress1", "homeaddressline1", "street", "streetaddress"]),
        ("address_line2", ["addressline2", "address2", "homeaddress2", "homeaddressline2"]),
        ("address_line3", ["addressline3", "address3", "homeaddress3", "homeaddressline3", "locality", "district"]),
        ("town", ["town", "city", "towncity", "posttown", "hometown"]),
        ("postcode", ["postcode", "postalcode", "homepostcode", "zip", "zipcode"]),
        ("email_kind", ["emailkind", "emailtype", "emailcategory", "preferredemailtype"]),
    }.SelectMany(c => c.Item2.Select(a => (a, c.Item1))).ToDictionary(x => x.a, x => x.Item2);

    private static string HeaderField(string header)
    {
        var lower = header.ToLowerInvariant();
        var key = new string(lower.Where(char.IsLetterOrDigit).ToArray());
        return HeaderAliases.GetValueOrDefault(key, lower);
    }

    private static readonly (string Column, int Max)[] Limited = [("first_name", 100), ("last_name", 100), ("workplace", 200), ("employer", 200), ("region", 100)];

    /// <summary>
    /// Reads and checks every row before anything is written. A whole union's file is 450,000 rows, all kept until the
    /// write, so a row keeps only what it needs: fields are read as spans of the line, a workplace's name, employer,
    /// region and town are one string however many rows repeat them, and a category is looked up once per spelling
    /// (ADR 0911). Compiled fully optimised at its one call: the JIT's first tier would run most of a first load's loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static List<Row> Parse(Stream csv, IReadOnlyDictionary<string, string> categories)
    {
        using var text = new StreamReader(csv, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var problems = new List<InputProblem>();
        var total = 0;
        void Problem(int line, string? column, string message)
        {
            total++;
            if (problems.Count < MaxReportedProblems) problems.Add(new InputProblem(line, column, message));
        }

        var records = new CsvLines(text).Read().GetEnumerator();
        if (!records.MoveNext())
            throw new InputRejected("The file is empty: it needs a header row and at least one member.", [new InputProblem(1, null, "The file is empty.")]);
        var header = records.Current;
        if (header.Fields is null)
            throw new InputRejected("The header row cannot be read.", [new InputProblem(header.Line, null, header.Error!)]);
        var names = Enumerable.Range(0, header.Count).Select(i => HeaderField(header[i].ToString().Trim().Trim('\uFEFF'))).ToArray();
        var index = new Dictionary<string, int>();
        for (var i = 0; i < names.Length; i++) index.TryAdd(names[i], i);
        var missing = Required.Where(c => !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            throw new InputRejected("The header row lacks required columns.",
                missing.Select(c => new InputProblem(header.Line, c, $"The header has no '{c}' column.")).ToList());
        int numberAt = index["membership_number"], firstAt = index["first_name"], lastAt = index["last_name"], emailAt = index["email"],
            workplaceAt = index["workplace"], employerAt = index["employer"], regionAt = index["region"], categoryAt = index["category"];
        var limited = Limited.Select(l => (l.Column, l.Max, At: index[l.Column])).ToArray();
        var statusIndex = index.GetValueOrDefault("status", -1);
        var hasAddress = AddressColumns.Any(index.ContainsKey);
        var kindIndex = index.GetValueOrDefault("email_kind", -1);

        var shared = new Dictionary<string, string>(StringComparer.Ordinal);
        var sharedBySpan = shared.GetAlternateLookup<ReadOnlySpan<char>>();
        string Shared(ReadOnlySpan<char> value)
        {
            if (sharedBySpan.TryGetValue(value, out var s)) return s;
            s = value.ToString();
            shared[s] = s;
            return s;
        }
        var categoryOf = new Dictionary<string, string?>(StringComparer.Ordinal);
        var categoryBySpan = categoryOf.GetAlternateLookup<ReadOnlySpan<char>>();

        var rows = new List<Row>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        while (records.MoveNext())
        {
            var rec = records.Current;
            if (rec.Fields is null) { Problem(rec.Line, null, rec.Error!); continue; }
            if (rec.Count != names.Length)
            {
                Problem(rec.Line, null, $"The line has {rec.Count} fields; the header has {names.Length}.");
                continue;
            }
            var before = total;
            var numberText = rec[numberAt].Trim();
            var number = "";
            if (numberText.IsEmpty) Problem(rec.Line, "membership_number", "The membership number is missing.");
            else if (!MembershipNumberPattern().IsMatch(numberText)) Problem(rec.Line, "membership_number", "The membership number must be 1 to 32 letters, digits, '/', '.', '_' or '-'.");
            else
            {
                number = numberText.ToString();
                if (seen.TryGetValue(number, out var firstLine)) Problem(rec.Line, "membership_number", $"Membership number {number} also appears on line {firstLine}.");
                else seen[number] = rec.Line;
            }

            foreach (var (col, max, at) in limited)
            {
                var v = rec[at].Trim();
                if (v.IsEmpty) Problem(rec.Line, col, $"The {col.Replace('_', ' ')} is missing.");
                else if (v.Length > max) Problem(rec.Line, col, $"The {col.Replace('_', ' ')} is longer than {max} characters.");
            }
            var email = rec[emailAt].Trim().ToString();
            if (email.Length == 0) Problem(rec.Line, "email", "The email address is missing.");
            else if (!EmailAddress.IsValid(email)) Problem(rec.Line, "email", "The email address is not valid.");
            var categoryText = rec[categoryAt].Trim();
            if (!categoryBySpan.TryGetValue(categoryText, out var category))
            {
                var spelling = categoryText.ToString();
                category = categories.GetValueOrDefault(Categories.Key(spelling));
                categoryOf[spelling] = category;
            }
            if (category is null)
                Problem(rec.Line, "category", $"Unknown category '{categoryText}'; expected one of: {string.Join(", ", categories.Values.Distinct().Order())}.");
            string? status = null;
            if (statusIndex >= 0)
            {
                var statusText = rec[statusIndex].Trim();
                status = statusText.SequenceEqual("active") ? "active" : statusText.ToString().ToLowerInvariant();
                if (status.Length == 0) status = null;
                else if (!Categories.Statuses.Contains(status)) Problem(rec.Line, "status", "The status must be active or lapsed.");
            }
            HomeAddress? home = null;
            if (hasAddress)
            {
                string? Opt(string column, int max, bool repeated = false)
                {
                    if (!index.TryGetValue(column, out var i)) return null;
                    var v = rec[i].Trim();
                    if (v.Length > max) Problem(rec.Line, column, $"The {column.Replace('_', ' ')} is longer than {max} characters.");
                    return v.IsEmpty ? null : repeated ? Shared(v) : v.ToString();
                }
                var postcode = Opt("postcode", 16);
                if (postcode is not null)
                {
                    postcode = Postcode(postcode);
                    if (postcode is null) Problem(rec.Line, "postcode", "The postcode has characters other than letters, digits and spaces.");
                }
                home = new HomeAddress(Opt("address_line1", 200), Opt("address_line2", 200), Opt("address_line3", 200), Opt("town", 100, repeated: true), postcode);
            }
            string? emailKind = null;
            if (kindIndex >= 0)
            {
                var k = rec[kindIndex].Trim().ToString();
                emailKind = EmailKind(k);
                if (k.Length > 0 && emailKind is null) Problem(rec.Line, "email_kind", "The email kind must be personal (or home) or work, or empty when not known.");
            }
            if (total == before)
                rows.Add(new Row(rec.Line, number, rec[firstAt].Trim().ToString(), rec[lastAt].Trim().ToString(), email,
                    Shared(rec[workplaceAt].Trim()), Shared(rec[employerAt].Trim()), Shared(rec[regionAt].Trim()), category!, status)
                    { Home = home, EmailKind = emailKind, HasEmailKind = kindIndex >= 0 });
        }
        if (total > 0)
            throw new InputRejected($"Nothing was imported: the file has {total} problem{(total == 1 ? "" : "s")}" +
                (total > problems.Count ? $" (the first {problems.Count} are listed)." : "."), problems);
        if (rows.Count == 0)
            throw new InputRejected("The file has a header but no members.", [new InputProblem(header.Line + 1, null, "No member rows.")]);
        return rows;
    }

    /// <summary>Upper case with single spaces ("ls1 1aa" is "LS1 1AA"); null when it has other characters.</summary>
    public static string? Postcode(string text)
    {
        var p = string.Join(' ', text.Trim().ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return p.Length is > 0 and <= 16 && p.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9' or ' ') ? p : null;
    }

    /// <summary>'personal' (also 'home', 'private'), 'work' (also 'business', 'office'), or null.</summary>
    public static string? EmailKind(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "personal" or "home" or "private" => "personal",
        "work" or "business" or "office" => "work",
        _ => null,
    };
}
