using System.ComponentModel.DataAnnotations;

namespace Ballot.Core.Ballots;

/// <summary>Bound from the "Ballots" section.</summary>
public sealed class BallotOptions
{
    public const string Section = "Ballots";

    /// <summary>
    /// The secret credentials are derived under, base64 (at least 32 bytes). Production sets it here (from a secret store);
    /// when empty, a key file is used (created with mode 0600 if missing).
    /// </summary>
    public string? CredentialKey { get; set; }

    /// <summary>
    /// The key file when <see cref="CredentialKey"/> is empty: default ballot-credentials.key beside the SQLite file; a
    /// relative path is taken beside the SQLite file. On PostgreSQL only an absolute path is accepted (else CredentialKey
    /// is required). See docs/decisions/0211-one-credential-key-per-database.md.
    /// </summary>
    public string? CredentialKeyFile { get; set; }

    /// <summary>
    /// The scrutineer's certification signing key, an ECDSA P-256 private key as PEM or base64 PKCS#8. Production sets it
    /// in the API only, from a secret store the scrutineer controls; when empty, a key file is used (created with mode 0600
    /// if missing). See docs/decisions/0230-anchored-audit-chain.md.
    /// </summary>
    public string? CertificationKey { get; set; }

    /// <summary>
    /// The key file when <see cref="CertificationKey"/> is empty: default ballot-certification.key beside the SQLite file;
    /// a relative path is taken beside the SQLite file. On PostgreSQL only an absolute path is accepted.
    /// </summary>
    public string? CertificationKeyFile { get; set; }

    /// <summary>Failed credential lookups allowed per client address per minute before 429.</summary>
    [Range(1, 100_000)]
    public int FailedLookupsPerMinute { get; set; } = 30;

    /// <summary>
    /// Sealing slots kept ready per question of each open ballot this process takes votes for (ADR 0905): a vote
    /// sealed from a slot costs hashing and scalar arithmetic, one sealed directly about 23 group multiplications per
    /// answer. Filled in the background from the ballot's first vote or page view; 0 seals every answer directly.
    /// Each slot holds the randomness of a future vote in memory only (docs/security.md).
    /// </summary>
    [Range(0, 1_000_000)]
    public int SealingSlotsPerQuestion { get; set; } = 512;

    /// <summary>Most votes committed together by the group-commit writer.</summary>
    [Range(1, 10_000)]
    public int MaxVotesPerCommit { get; set; } = 512;

    /// <summary>
    /// PostgreSQL: vote batches in flight at once, each on its own connection with its own running sums (ADR 0912), so
    /// one batch's statement runs while another waits for its commit to reach the disk. SQLite has one writer, and
    /// its store overlaps the commit itself (ADR 0213).
    /// </summary>
    [Range(1, 16)]
    public int VoteConnections { get; set; } = 2;

    /// <summary>
    /// SQLite: after this many recorded votes since the last copy, a thread beside the vote writer copies the WAL into
    /// the database file (a PASSIVE checkpoint); about two WAL pages per vote (ADR 0212, 0213).
    /// </summary>
    public int CheckpointEveryVotes { get; set; } = 8000;
}
