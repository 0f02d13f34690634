using Ballot.Core.Common;
using Ballot.Core.Data;
using MediatR;

namespace Ballot.Core.Ballots;

/// <summary>A certified ballot's certificate, for anyone: the statement signed, the signature and the key that verifies it.</summary>
public static class GetCertificate
{
    public sealed record Query(long Id) : IRequest<Certificate>;

    public sealed class Handler(Db db) : IRequestHandler<Query, Certificate>
    {
        public async Task<Certificate> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            // The same answer for a draft, an uncertified ballot and no ballot: nothing is revealed before certification.
            return await Certificate.LoadAsync(conn, q.Id) ?? throw new NotFound($"Ballot {q.Id} has no certificate: its result has not been certified.");
        }
    }
}

/// <summary>The published public key certificates are signed with, so anyone can check one outside this system.</summary>
public static class GetCertificationKey
{
    public sealed record View(string Algorithm, string PublicKey, string Fingerprint);

    public sealed record Query : IRequest<View>;

    public sealed class Handler(ScrutineerKey key) : IRequestHandler<Query, View>
    {
        public Task<View> Handle(Query q, CancellationToken ct) =>
            Task.FromResult(key.PublicKeyPem is { } pem ? new View(ScrutineerKey.Algorithm, pem, key.Fingerprint!) : throw new NotFound(ScrutineerKey.Missing));
    }
}
