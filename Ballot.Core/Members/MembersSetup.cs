using Ballot.Core.Data;
using Ballot.Core.Members.Import;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ballot.Core.Members;

public static class MembersSetup
{
    /// <summary>The register import's writer for the engine in use.</summary>
    public static IHostApplicationBuilder AddMembers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddPerEngine<IRegisterWriter, SqliteRegisterWriter, PostgresRegisterWriter>();
        return builder;
    }
}
