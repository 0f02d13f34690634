using Ballot.Core.Ballots;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Leaflets;
using Ballot.Core.Mail;
using Ballot.Core.Members;
using Ballot.Core.Motions;
using Ballot.Core.Staff.Accounts;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ballot.Core;

public static class BallotCore
{
    /// <summary>Registers the database, migrations, every MediatR handler in Ballot.Core, and each feature (its options,
    /// validated at start-up, and its services) through the feature's own Add extension.</summary>
    public static IHostApplicationBuilder AddBallotCore(this IHostApplicationBuilder builder)
    {
        DapperSetup.Once();
        var services = builder.Services;
        services.AddOptions<DatabaseOptions>().Bind(builder.Configuration.GetSection(DatabaseOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Db>();
        services.AddSingleton<Migrator>();
        services.AddSingleton(TimeProvider.System);
        AddMediator(services);
        builder.AddUnionTime();
        builder.AddMembers();
        builder.AddBallots();
        builder.AddMail();
        builder.AddLeaflets();
        builder.AddMotions();
        builder.AddStaffAccounts();
        return builder;
    }

    /// <summary>MediatR 5.1.0 has no DI package on our source, so registration is done here by scanning.</summary>
    private static void AddMediator(IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(sp => sp.GetService!);
        services.AddScoped<IMediator, Mediator>();
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));
        var handlerTypes = typeof(BallotCore).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false });
        foreach (var type in handlerTypes)
        foreach (var iface in type.GetInterfaces())
        {
            if (!iface.IsGenericType) continue;
            var def = iface.GetGenericTypeDefinition();
            if (def == typeof(IRequestHandler<,>) || def == typeof(INotificationHandler<>))
                services.AddTransient(iface, type);
        }
    }
}
