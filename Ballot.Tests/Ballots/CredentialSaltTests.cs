using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ballot.Core.Ballots;
using Ballot.Tests.Infrastructure;
using Dapper;

namespace Ballot.Tests.Ballots;

/// <summary>
/// Issue 11, flaw 5: a credential was HMAC(key, "ballotId:memberId"), so the key alone gave every link, and the same key
/// on a rebuilt database (same small ids) revived old letters. Now each ballot mixes in a random salt stored when it opens.
/// </summary>
public sealed class CredentialSaltTests
{
    private const string Key = "c2FsdGVkLWJhbGxvdC1jcmVkZW50aWFscy10ZXN0LWtleSE=";   // the same key for every database here

    private static async Task<(ApiHost Api, BallotKit Kit)> Start()
    {
        var api = await ApiHost.StartAsync(s => s["Ballots:CredentialKey"] = Key);
        var kit = new BallotKit(api);
        await kit.ImportMembers(MemberCsv.Generate(3, schools: 1));
        return (api, kit);
    }

    /// <summary>What the key alone yields: the old derivation, which is all a leaked key gives without the salt row.</summary>
    private static string FromKeyAlone(long ballotId, long memberId) =>
        Credentials.Base64Url(HMACSHA256.HashData(Convert.FromBase64String(Key), Encoding.ASCII.GetBytes($"{ballotId}:{memberId}")).AsSpan(0, 16));

    [Test]
    public async Task The_same_key_on_a_rebuilt_database_gives_other_links_and_the_old_ones_are_refused()
    {
        var (first, firstKit) = await Start();
        string oldLink;
        long ballotId, memberId;
        await using (first)
        {
            ballotId = await firstKit.OpenConsultative();
            memberId = await firstKit.MemberId("M000001");
            oldLink = await firstKit.Credential(ballotId, "M000001");
        }

        // The database is rebuilt: same key, same register, so the same ballot and member ids.
        var (rebuilt, kit) = await Start();
        await using (rebuilt)
        {
            var again = await kit.OpenConsultative();
            Assert.That((again, await kit.MemberId("M000001")), Is.EqualTo((ballotId, memberId)), "the ids repeat on a rebuilt database");
            var newLink = await kit.Credential(again, "M000001");
            Assert.That(newLink, Is.Not.EqualTo(oldLink));

            var refused = await kit.Vote(oldLink, """{"boycott":"Yes"}""");
            Assert.That(refused.StatusCode, Is.Not.EqualTo(HttpStatusCode.Created), "an old letter's link does not vote in the new ballot");
            await kit.VoteOk(again, "M000001", """{"boycott":"No"}""");

            // A second ballot over the same electorate: other links again.
            var second = await kit.OpenConsultative();
            Assert.That(await kit.Credential(second, "M000001"), Is.Not.EqualTo(newLink));
        }
    }

    [Test]
    public async Task A_leaked_key_without_the_salt_derives_no_stored_credential()
    {
        var (api, kit) = await Start();
        await using (api)
        {
            var ballots = new[] { await kit.OpenConsultative(), await kit.OpenConsultative() };
            await using var conn = await api.OpenAsync();
            var salts = new List<byte[]>();
            foreach (var ballotId in ballots)
            {
                var salt = await conn.ExecuteScalarAsync<string>("SELECT salt FROM ballot_credential_salt WHERE ballot_id = @ballotId", new { ballotId });
                salts.Add(Convert.FromBase64String(salt!));
                var stored = (await conn.QueryAsync<string>("SELECT credential_hash FROM ballot_elector WHERE ballot_id = @ballotId", new { ballotId })).ToHashSet();
                Assert.That(stored, Has.Count.EqualTo(3));
                foreach (var number in new[] { "M000001", "M000002", "M000003" })
                {
                    var memberId = await kit.MemberId(number);
                    Assert.That(stored, Does.Not.Contain(Credentials.Hash(FromKeyAlone(ballotId, memberId))), "key + ids alone");
                    var credentials = api.App.Services.GetRequiredService<Credentials>();
                    Assert.That(stored, Does.Not.Contain(Credentials.Hash(credentials.ForBallot(ballotId, Convert.ToBase64String(new byte[32])).For(memberId))),
                        "key + ids + a guessed salt");
                    Assert.That(stored, Does.Contain(Credentials.Hash(await kit.Credential(ballotId, number))), "the letter's link, with the stored salt");
                }
            }
            // A ballot opened before salts existed (migration 0221 gives it an empty salt) keeps the links its letters carry.
            var legacy = api.App.Services.GetRequiredService<Credentials>().ForBallot(ballots[0], "");
            Assert.That(legacy.For(await kit.MemberId("M000002")), Is.EqualTo(FromKeyAlone(ballots[0], await kit.MemberId("M000002"))));
            Assert.That(salts.Select(s => s.Length), Is.All.GreaterThanOrEqualTo(16), "at least 128 bits");
            Assert.That(salts[0], Is.Not.EqualTo(salts[1]));
            Assert.That(async () => await conn.ExecuteAsync("UPDATE ballot_credential_salt SET salt = '' WHERE ballot_id = @id", new { id = ballots[0] }), Throws.Exception,
                "a salt never changes");
        }
    }
}
