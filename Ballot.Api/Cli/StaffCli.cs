using Ballot.Core;
using Ballot.Core.Common;
using Ballot.Core.Data;
using Ballot.Core.Mail;
using Ballot.Core.Staff.Accounts;
using MediatR;
using Microsoft.Extensions.Options;

namespace Ballot.Api.Cli;

/// <summary>
/// dotnet run --project Ballot.Api -- staff create --role executive --email jo@example.org --name "Jo Bloggs"
/// dotnet run --project Ballot.Api -- staff list
/// dotnet run --project Ballot.Api -- staff disable jo@example.org
/// dotnet run --project Ballot.Api -- staff reset-2fa jo@example.org
/// </summary>
public static class StaffCli
{
    private const string Usage = """
        usage:
          staff create --role executive|organiser|scrutineer --email address --name "Full Name"
          staff list
          staff disable <id or email>
          staff reset-2fa <id or email>
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var stdout = System.Console.Out;
        var stderr = System.Console.Error;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.ClearProviders();
        builder.AddBallotCore();
        using var host = builder.Build();
        host.Services.GetRequiredService<Migrator>().Migrate();
        using var scope = host.Services.CreateScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var baseUrl = scope.ServiceProvider.GetRequiredService<IOptions<MailOptions>>().Value.PublicBaseUrl.TrimEnd('/');
        var time = scope.ServiceProvider.GetRequiredService<UnionTime>();
        try
        {
            switch (args.FirstOrDefault())
            {
                case "create":
                    var created = await mediator.Send(new CreateAccount.Command(Option(args, "--email") ?? "", Option(args, "--name") ?? "",
                        Option(args, "--role") ?? "", Actor.CommandLine));
                    stdout.WriteLine($"Created account {created.Id} for {created.Name} <{created.Email}> ({created.Role}).");
                    stdout.WriteLine($"Give them this set-up link; it works once, until {time.When(created.ExpiresAt)}:");
                    stdout.WriteLine(baseUrl + created.SetupPath);
                    return 0;
                case "list":
                    stdout.WriteLine($"{"id",4}  {"role",-10}  {"status",-8}  {"2fa",-3}  {"email",-32}  name");
                    foreach (var a in await mediator.Send(new ListAccounts.Query()))
                        stdout.WriteLine($"{a.Id,4}  {a.Role,-10}  {a.Status,-8}  {(a.Authenticator ? "yes" : "no"),-3}  {a.Email,-32}  {a.Name}");
                    return 0;
                case "disable" when args.Length > 1:
                    var toDisable = await Find(mediator, args[1]);
                    await mediator.Send(new ChangeAccount.Disable(toDisable.Id, Actor.CommandLine));
                    stdout.WriteLine($"Account {toDisable.Id} ({toDisable.Email}) disabled; its sessions have ended.");
                    return 0;
                case "reset-2fa" when args.Length > 1:
                    var toReset = await Find(mediator, args[1]);
                    var token = await mediator.Send(new ChangeAccount.ResetTwoFactor(toReset.Id, Actor.CommandLine, Mail: false));
                    stdout.WriteLine($"The authenticator of account {toReset.Id} ({toReset.Email}) is cleared; its sessions have ended.");
                    stdout.WriteLine("Give them this link to set up a new one; it works once:");
                    stdout.WriteLine(baseUrl + SetupLinks.Path(token!));
                    return 0;
                default:
                    stderr.WriteLine(Usage);
                    return 2;
            }
        }
        catch (ValidationFailed v)
        {
            foreach (var (field, messages) in v.Errors) stderr.WriteLine($"{field}: {string.Join(" ", messages)}");
            stderr.WriteLine(Usage);
            return 2;
        }
        catch (BallotException e)
        {
            stderr.WriteLine(e.Message);
            return 1;
        }
    }

    private static async Task<ListAccounts.AccountSummary> Find(IMediator mediator, string idOrEmail)
    {
        var all = await mediator.Send(new ListAccounts.Query());
        return all.FirstOrDefault(a => long.TryParse(idOrEmail, out var id) ? a.Id == id : string.Equals(a.Email, idOrEmail, StringComparison.OrdinalIgnoreCase))
            ?? throw new NotFound($"No staff account '{idOrEmail}'.");
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
