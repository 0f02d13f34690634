using Ballot.Core.Data;
using MediatR;

namespace Ballot.Core.Mail;

public static class GetMailing
{
    public sealed record Query(long Id) : IRequest<MailingView>;

    public sealed class Handler(Db db) : IRequestHandler<Query, MailingView>
    {
        public async Task<MailingView> Handle(Query q, CancellationToken ct)
        {
            await using var conn = await db.OpenAsync(ct);
            return await (await MailingRow.LoadAsync(conn, q.Id)).ToViewAsync(conn);
        }
    }
}
