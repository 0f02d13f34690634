using Ballot.Core.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Motions;

public static class MotionsSetup
{
    /// <summary>School terms (section "Terms"), checked at start-up.</summary>
    public static IHostApplicationBuilder AddMotions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TermOptions>().Bind(builder.Configuration.GetSection(TermOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TermOptions>, TermOptionsValidator>();
        builder.Services.AddSingleton<TermCalendar>();
        builder.Services.AddPerEngine<MotionSearchSql, SqliteMotionSearchSql, PostgresMotionSearchSql>();
        return builder;
    }
}
