namespace Ballot.Core.Common;

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);
