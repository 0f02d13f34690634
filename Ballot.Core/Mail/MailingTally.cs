using System.Data.Common;
using Dapper;

namespace Ballot.Core.Mail;

/// <summary>
/// Each mailing's recipients per state, read from the counters the database keeps beside mailing_recipient (migration
/// 0550, ADR 0550): a handful of rows per mailing, however many letters it holds.
/// </summary>
public static class MailingTally
{
    public sealed class Counts
    {
        private readonly Dictionary<string, long> _byState = [];
        public long Total { get; private set; }
        public long this[string state] => _byState.GetValueOrDefault(state);

        internal void Add(string state, long n)
        {
            _byState[state] = this[state] + n;
            Total += n;
        }
    }

    /// <summary>Every mailing asked for has an entry, empty when it has no recipients yet.</summary>
    public static async Task<IReadOnlyDictionary<long, Counts>> ForAsync(DbConnection conn, IReadOnlyCollection<long> mailingIds, DbTransaction? tx = null)
    {
        var result = mailingIds.Distinct().ToDictionary(id => id, _ => new Counts());
        if (result.Count == 0) return result;
        // The ids are numbers, written inline: one statement on both engines (Dapper would expand a list on SQLite and pass
        // an array on PostgreSQL).
        var rows = await conn.QueryAsync<(long MailingId, string State, long N)>(
            $"SELECT mailing_id, state, SUM(n) FROM mailing_tally WHERE mailing_id IN ({string.Join(", ", result.Keys)}) GROUP BY mailing_id, state",
            transaction: tx);
        foreach (var r in rows) result[r.MailingId].Add(r.State, r.N);
        return result;
    }

    public static async Task<Counts> ForAsync(DbConnection conn, long mailingId, DbTransaction? tx = null) =>
        (await ForAsync(conn, [mailingId], tx))[mailingId];
}
