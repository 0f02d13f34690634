using Ballot.Core.Mail;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ballot.Core.Ballots;

public static class BallotServices
{
    public static IServiceCollection AddBallots(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BallotOptions>().Bind(configuration.GetSection(BallotOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Credentials>();
        services.AddSingleton<VoteWriter>();
        services.AddSingleton<Electors>();
        services.AddSingleton<PaperCache>();
        services.AddSingleton<BallotLetterFields>();
        services.AddSingleton<ILetterFields>(sp => sp.GetRequiredService<BallotLetterFields>());
        services.AddScoped<BallotSchedule>();
        return services;
    }
}
