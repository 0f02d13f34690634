namespace Ballot.Core.Common;

/// <summary>Failures a use case reports on purpose. The API turns each into one problem-details status.</summary>
public abstract class BallotException(string message) : Exception(message);

/// <summary>400: the request is malformed; Errors maps a field to what is wrong with it.</summary>
public sealed class ValidationFailed(IReadOnlyDictionary<string, string[]> errors, string? message = null)
    : BallotException(message ?? "One or more fields are invalid.")
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationFailed For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>404.</summary>
public sealed class NotFound(string message) : BallotException(message);

/// <summary>409: the request is well formed but conflicts with the current state.</summary>
public sealed class Conflict(string message) : BallotException(message);

/// <summary>403: the caller is known but may not do this.</summary>
public sealed class Forbidden(string message) : BallotException(message);

/// <summary>400 with a list of problems (e.g. CSV lines), each located in the input.</summary>
public sealed class InputRejected(string message, IReadOnlyList<InputProblem> problems) : BallotException(message)
{
    public IReadOnlyList<InputProblem> Problems { get; } = problems;
}

public sealed record InputProblem(int Line, string? Column, string Message);
