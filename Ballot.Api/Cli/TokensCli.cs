using Ballot.Core;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Staff;
using MediatR;

namespace Ballot.Api.Cli;

/// <summary>
/// dotnet run --project Ballot.Api -- tokens create --role executive --name "Jo Bloggs"
/// dotnet run --project Ballot.Api -- tokens list
/// dotnet run --project Ballot.Api -- tokens revoke 3
/// </summary>
public static class TokensCli
{
    private const string Usage = """
        usage:
          tokens create --role executive|organiser|scrutineer --name "Full Name"
          tokens list
          tokens revoke <id>
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.ClearProviders();
        builder.AddBallotCore();
        using var host = builder.Build();
        host.Services.GetRequiredService<Migrator>().Migrate();
        using var scope = host.Services.CreateScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        try
        {
            switch (args.FirstOrDefault())
            {
                case "create":
                    var created = await mediator.Send(new CreateToken.Command(Option(args, "--role") ?? "", Option(args, "--name") ?? ""));
                    Console.WriteLine($"Created token {created.Id} for {created.Name} ({created.Role}). It is shown only this once:");
                    Console.WriteLine(created.Token);
                    return 0;
                case "list":
                    Console.WriteLine($"{"id",4}  {"role",-10}  {"prefix",-10}  {"created (UTC)",-16}  {"revoked (UTC)",-16}  name");
                    foreach (var t in await mediator.Send(new ListTokens.Query()))
                        Console.WriteLine($"{t.Id,4}  {t.Role,-10}  {t.Prefix,-10}  {t.CreatedAt:yyyy-MM-dd HH:mm}  {(t.RevokedAt is { } r ? r.ToString("yyyy-MM-dd HH:mm") : "-"),-16}  {t.Name}");
                    return 0;
                case "revoke" when args.Length > 1 && long.TryParse(args[1], out var id):
                    await mediator.Send(new RevokeToken.Command(id));
                    Console.WriteLine($"Token {id} revoked.");
                    return 0;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (ValidationFailed v)
        {
            foreach (var (field, messages) in v.Errors) Console.Error.WriteLine($"{field}: {string.Join(" ", messages)}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (BallotException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
