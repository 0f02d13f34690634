using Ballot.Core.Data;
using Ballot.Core.Mail;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ballot.Core.Ballots.Voting;

namespace Ballot.Core.Ballots;

public static class BallotServices
{
    public static IHostApplicationBuilder AddBallots(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BallotOptions>().Bind(builder.Configuration.GetSection(BallotOptions.Section)).ValidateDataAnnotations()
            .Validate(o => string.IsNullOrWhiteSpace(o.CredentialKey) || Credentials.ParseKey(o.CredentialKey) is not null,
                "Ballots:CredentialKey must be base64 of at least 32 random bytes (e.g. openssl rand -base64 32).")
            // On PostgreSQL there is no SQLite file to keep a key file beside: each process would otherwise make its own
            // key relative to its working directory and every link would be refused.
            .Validate<IOptions<DatabaseOptions>>((o, database) => Db.DetectEngine(database.Value.ConnectionString) != Engine.Postgres
                    || !string.IsNullOrWhiteSpace(o.CredentialKey) || Path.IsPathRooted(o.CredentialKeyFile ?? ""),
                "Ballots:CredentialKey is required on PostgreSQL: set it (base64 of 32 random bytes) to the same value in the API and every worker.")
            .Validate(o => string.IsNullOrWhiteSpace(o.CertificationKey) || ScrutineerKey.IsValid(o.CertificationKey), ScrutineerKey.InvalidKey)
            .ValidateOnStart();
        services.AddSingleton<Credentials>();
        services.AddSingleton<Notices.EmployerLetters>();
        services.AddSingleton<ScrutineerKey>();
        services.AddPerEngine<VoteStores, SqliteVoteStores, PostgresVoteStores>();
        services.AddSingleton<BallotSealer>();
        services.AddSingleton<VoteWriter>();
        services.AddSingleton<ElectorReaders>();
        services.AddSingleton<ElectorLookup>();
        services.AddSingleton<ElectorIndex>();
        services.AddSingleton<PaperCache>();
        services.AddSingleton<BallotLetterFields>();
        services.AddSingleton<ILetterFields>(sp => sp.GetRequiredService<BallotLetterFields>());
        services.AddScoped<BallotSchedule>();
        services.AddScoped<Papers.PrintRunner>();
        return builder;
    }
}
