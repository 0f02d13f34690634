using System.Security.Claims;
using System.Text.Json;
using Ballot.Api.Auth;
using Ballot.Core.Ballots;
using Ballot.Core.Common;
using Ballot.Core.Sealing;
using Ballot.Core.Staff;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Ballot.Api.Endpoints;

/// <summary>The sealed count's endpoints (ADR 0904): the bulletin board, and the trustees' partial decryptions.</summary>
public sealed class BoardEndpoints : IEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ballots = app.MapGroup("/api/ballots").WithTags("Ballots");
        ballots.MapGet("/{id}/board", Board).AllowAnonymous().Produces<Board>(contentType: "application/json")
            .WithSummary("The public bulletin board once the ballot has closed: key and ceremony, every sealed paper with its tracker, the sums; "
                + "once counted, the trustees' partial decryptions with their proofs, the totals and the result hash. Trustees decrypt from it.");
        ballots.MapGet("/{id}/board/papers/{tracker}", Paper).AllowAnonymous()
            .WithSummary("The sealed paper on the board whose tracker starts with this (at least 16 hex digits): a member finds their vote.");
        // Any staff role may hold a trustee's seat; the use case takes only the token bound to the trustee named in the body.
        ballots.MapPost("/{id}/decryptions", Decrypt).RequireRoles(Roles.Executive, Roles.Organiser, Roles.Scrutineer).Accepts<BoardDecryption>("application/json")
            .WithSummary("A trustee's decryption shares of the closed ballot's sums (base64 of 64-byte affine points) with one batched proof (ADR 0908); "
                + "the count runs once t trustees have sent valid ones.");
    }

    private static async Task<IResult> Board(long id, IMediator mediator, CancellationToken ct)
    {
        var writer = await mediator.Send(new GetBoard.Query(id), ct);
        return Results.Stream(s => writer.WriteAsync(s, ct), "application/json");
    }

    private static async Task<Ok<BoardPaper>> Paper(long id, string tracker, IMediator mediator, CancellationToken ct) =>
        TypedResults.Ok(await mediator.Send(new FindBoardPaper.Query(id, tracker), ct));

    // Shares are 64 bytes per option sum, in base64: 15 MB for 175,000 sums; Kestrel's 30 MB default would refuse a ballot twice that size.
    private const long MaxDecryptionBytes = 256L * 1024 * 1024;

    private static async Task<Ok<SubmitDecryption.Result>> Decrypt(long id, HttpRequest request, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = MaxDecryptionBytes;
        BoardDecryption? body;
        try
        {
            // The sealing types travel as SealingJson writes them (the board's own format), not the API's general options.
            body = await JsonSerializer.DeserializeAsync<BoardDecryption>(request.Body, SealingJson.Options, ct);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw ValidationFailed.For("body", $"The body is not a trustee's decryption ({{\"trustee\": i, \"shares\": \"base64 of 64-byte points\", \"proof\": {{...}}}}): {e.Message}");
        }
        return TypedResults.Ok(await mediator.Send(new SubmitDecryption.Command(id, body, user.Staff()), ct));
    }
}
