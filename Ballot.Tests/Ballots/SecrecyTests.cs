using System.Text;
using Ballot.Core.Data;
using Ballot.Core.Sealing;
using Ballot.Tests.Infrastructure;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ballot.Tests.Ballots;

/// <summary>
/// Issue 17: a copy of the database and its WAL, taken while votes arrive, holds no choice, and fewer than t shares open
/// nothing in it. This replaces the mixing tests: on PostgreSQL a paper now shares its voter's transaction (xmin), and
/// on SQLite the WAL holds each commit's voter page beside its paper page; both link a member to a ciphertext only.
/// </summary>
public sealed class SecrecyTests() : BallotApiTests(12, 3)
{
    // The canonical answers the old plaintext path stored; option text as the ballot's definition holds it is allowed.
    private static readonly string[] Choices =
        ["\"boycott\":\"Yes\"", "\"boycott\":\"No\"", "\"timing\":\"Autumn term\"", "\"timing\":\"Spring term\"", "\"timing\":\"Not at all\""];

    [Test]
    public async Task A_copy_of_the_database_and_wal_taken_during_voting_holds_no_choice_and_one_share_opens_nothing()
    {
        var started = DateTime.UtcNow.AddSeconds(-2);
        var id = await Kit.OpenConsultative();
        var voted = new Dictionary<string, string>();
        for (var i = 1; i <= 6; i++)
        {
            var answers = i % 2 == 0 ? """{"boycott":"Yes","timing":"Autumn term"}""" : """{"boycott":"No","timing":"Not at all"}""";
            voted[await Kit.VoteOk(id, $"M{i:D6}", answers)] = answers;
        }

        // The copy, while the ballot is open: the SQLite file with its WAL; PostgreSQL's files of this database and its WAL.
        var copy = await CopyAsync(started);
        Assert.That(copy.Bytes, Is.GreaterThan(0));
        foreach (var choice in Choices)
            Assert.That(copy.Contains(choice), Is.False, $"the copy holds {choice}");

        // What links a member to a paper in the copy (the vote's own transaction on PostgreSQL) links them to ciphertexts.
        await using var conn = await Api.OpenAsync();
        if (TestDatabase.Engine == Engine.Postgres)
        {
            var linked = (await conn.QueryAsync<byte[]>(
                "SELECT p.sealed FROM ballot_elector e JOIN ballot_paper p ON p.xmin = e.xmin WHERE e.ballot_id = @id AND p.ballot_id = @id", new { id })).ToList();
            Assert.That(linked, Has.Count.EqualTo(6), "each paper is written in its voter's transaction: the link exists, and must tell nothing");
        }
        var papers = (await conn.QueryAsync<byte[]>("SELECT sealed FROM ballot_paper WHERE ballot_id = @id", new { id })).ToList();
        Assert.That(papers, Has.Count.EqualTo(6));

        // One share alone (each trustee in turn, as if the threshold were 1) opens no ciphertext to 0 or 1; two open every one.
        var trustees = TestTrustees.For(Api).Of(id);
        var context = SealingContext.ForBallot(id);
        var zero = Element.Identity;
        var one = Group.Generator.Value;
        foreach (var bytes in papers)
        {
            var flat = SealedPaper.Decode(bytes).SelectMany(a => a.Options).ToList();
            foreach (var trustee in trustees)
            {
                var shares = trustee.Decrypt(context, flat).Shares;
                for (var k = 0; k < flat.Count; k++)
                {
                    var opened = flat[k].B.Subtract(shares[k]);
                    Assert.That(opened.Equals(zero) || opened.Equals(one), Is.False, $"trustee {trustee.Index}'s share alone opened a vote");
                }
            }
            // Trustees 1 and 2 have the integer Lagrange weights 2 and −1 (scale 1): the opened points are m·G themselves.
            var both = ThresholdDecryption.OpenScaled(trustees[0].Settings, flat, [trustees[0].Decrypt(context, flat), trustees[1].Decrypt(context, flat)], out _);
            Assert.That(both, Has.All.Matches<Element>(e => e.Equals(zero) || e.Equals(one)), "two shares do open each ciphertext to 0 or 1");
        }
        // The running sums (ADR 0907) are ciphertexts under the same key: one share alone opens none of them to any count.
        var counts = Enumerable.Range(0, 7).Select(m => m == 0 ? zero : Group.Generator.Multiply(Ballot.Core.Sealing.Scalar.From(m))).ToList();
        var running = (await conn.QueryAsync<byte[]>("SELECT ciphertexts FROM ballot_running_sum WHERE ballot_id = @id", new { id })).ToList();
        Assert.That(running, Is.Not.Empty);
        foreach (var bytes in running)
        {
            var flat = Enumerable.Range(0, bytes.Length / 128)
                .Select(k => new Ciphertext(Element.DecodeAffine(bytes.AsSpan(k * 128, 64)), Element.DecodeAffine(bytes.AsSpan(k * 128 + 64, 64)))).ToList();
            foreach (var trustee in trustees)
            {
                var shares = trustee.Decrypt(context, flat).Shares;
                for (var k = 0; k < flat.Count; k++)
                    Assert.That(counts.Contains(flat[k].B.Subtract(shares[k])), Is.False, $"trustee {trustee.Index}'s share alone opened a running sum");
            }
        }
        // And the papers hold the votes cast, as two trustees would see them (which they never do: they decrypt only sums).
        Assert.That((await TestPapers.OpenAsync(Api, id)).Order(StringComparer.Ordinal), Is.EqualTo(voted.Values.Order(StringComparer.Ordinal)));
    }

    private sealed record Copy(long Bytes, List<byte[]> Files)
    {
        public bool Contains(string text)
        {
            var needle = Encoding.UTF8.GetBytes(text);
            return Files.Any(f => f.AsSpan().IndexOf(needle) >= 0);
        }
    }

    private async Task<Copy> CopyAsync(DateTime since)
    {
        var files = new List<byte[]>();
        if (TestDatabase.Engine == Engine.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(Api.Database.ConnectionString).DataSource;
            Assert.That(File.Exists(path + "-wal"), Is.True, "the WAL is there, mid-voting");
            foreach (var file in new[] { path, path + "-wal" })
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer);
                files.Add(buffer.ToArray());
            }
        }
        else
        {
            // As a file-level backup would: this database's directory and the WAL segments written since the test began.
            var data = Environment.GetEnvironmentVariable("BALLOT_TEST_PGDATA") ?? "/var/lib/postgresql/15/main";
            var oid = await Kit.Scalar<long>("SELECT oid FROM pg_database WHERE datname = current_database()");
            var paths = Directory.GetFiles(Path.Combine(data, "base", oid.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Concat(Directory.GetFiles(Path.Combine(data, "pg_wal")).Where(f => File.GetLastWriteTimeUtc(f) >= since));
            foreach (var file in paths)
                files.Add(await File.ReadAllBytesAsync(file));
            Assert.That(files.Count, Is.GreaterThan(1));
        }
        return new Copy(files.Sum(f => (long)f.Length), files);
    }
}
