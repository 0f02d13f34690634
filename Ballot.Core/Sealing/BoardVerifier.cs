using System.Collections.Concurrent;

namespace Ballot.Core.Sealing;

/// <summary>What the verifier found: valid, or the first fault, named. <see cref="Counted"/> says whether totals were checked.</summary>
public sealed record BoardVerdict(bool Valid, string Message, bool Counted)
{
    public static BoardVerdict Fault(string message) => new(false, message, false);
}

/// <summary>
/// Part <see cref="Number"/> of <see cref="Of"/> (ADR 0908): the papers whose index i has i mod Of = Number − 1, so that
/// Of machines each check the proofs of a different share of the papers; every part does the whole-board checks.
/// </summary>
public sealed record BoardPart(int Number, int Of)
{
    public static BoardPart Whole { get; } = new(1, 1);

    public bool IsWhole => Of == 1;

    public bool Holds(int paper) => paper % Of == Number - 1;

    /// <summary>"K/N" with 1 ≤ K ≤ N, or null.</summary>
    public static BoardPart? Parse(string? text) =>
        text?.Split('/') is [var k, var n] && int.TryParse(k, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var of)
            && of >= 1 && number >= 1 && number <= of
            ? new BoardPart(number, of) : null;

    public override string ToString() => $"part {Number} of {Of}";
}

/// <summary>
/// Rechecks a bulletin board from the board alone (ADR 0906, 0908): the ceremony's public messages and the joint key,
/// every paper's proofs and tracker (or, with a <see cref="BoardPart"/>, those of its part), the sums (recomputed from
/// every paper), each trustee's batched decryption proof, and the totals (recombined and solved again). Papers are checked
/// on every core; the fault reported is the first in board order, so two runs name the same one.
/// </summary>
public static class BoardVerifier
{
    public static BoardVerdict Verify(Board board, CancellationToken cancellationToken = default) => Verify(board, BoardPart.Whole, cancellationToken);

    public static BoardVerdict Verify(Board board, BoardPart part, CancellationToken cancellationToken = default)
    {
        if (CheckCeremony(board, out var key) is { } ceremonyFault) return BoardVerdict.Fault(ceremonyFault);
        if (CheckShape(board, out var constituencies) is { } shapeFault) return BoardVerdict.Fault(shapeFault);
        if (CheckPapers(board, part, cancellationToken) is { } paperFault) return BoardVerdict.Fault(paperFault);
        var sums = RecomputeSums(board, constituencies);
        if (CompareSums(board, sums) is { } sumFault) return BoardVerdict.Fault(sumFault);
        if (CheckDecryptions(board, key!, sums, out var totals) is { } countFault) return BoardVerdict.Fault(countFault);
        var valid = part.IsWhole ? "valid" : $"valid ({part})";
        var papers = part.IsWhole
            ? $"{board.Papers.Count} papers"
            : $"{Enumerable.Range(0, board.Papers.Count).Count(part.Holds)} of {board.Papers.Count} papers' proofs checked (the others are not in this part; every paper summed)";
        if (totals is null)
            return board.Totals.Count == 0
                ? new BoardVerdict(true, $"{valid}: {papers}, {sums.Length} sums; not counted yet ({board.Decryptions.Count} of {board.Ceremony.Threshold} trustees have decrypted)", false)
                : BoardVerdict.Fault($"The board shows totals but only {board.Decryptions.Count} of the {board.Ceremony.Threshold} trustees needed have decrypted.");
        if (CompareTotals(board, totals) is { } totalFault) return BoardVerdict.Fault(totalFault);
        return new BoardVerdict(true, $"{valid}: {papers}, {sums.Length} sums, {board.Decryptions.Count} trustees' decryption shares, totals recomputed", true);
    }

    /// <summary>The ceremony's public checks (announcements, dealings, confirmations) and the joint key and fingerprint recomputed.</summary>
    public static string? CheckCeremony(Board board, out JointKey? key)
    {
        key = null;
        if (board.Format != Board.FormatName || board.Version != Board.CurrentVersion)
            return $"This is not a version {Board.CurrentVersion} ballot board.";
        var settings = board.Ceremony;
        try
        {
            settings.Check();
            if (settings.BallotId != board.BallotId) return $"The ceremony is for ballot {settings.BallotId}, not {board.BallotId}.";
            if (!board.Trustees.Select(t => t.Index).SequenceEqual(Enumerable.Range(1, settings.Trustees)))
                return $"The board must list trustees 1 to {settings.Trustees} in order.";
            foreach (var trustee in board.Trustees)
            {
                if (trustee.Announcement is not { } announcement || announcement.Trustee != trustee.Index)
                    return $"Trustee {trustee.Index} has no announcement of its own.";
                KeyCeremony.CheckAnnouncement(settings, announcement);
            }
            foreach (var trustee in board.Trustees)
            {
                if (trustee.Dealing is not { } dealing || dealing.Dealer != trustee.Index) return $"Trustee {trustee.Index} has no dealing of its own.";
                KeyCeremony.CheckDealerMessage(settings, trustee.Announcement!, dealing);
            }
            var joint = KeyCeremony.Combine(settings, [.. board.Trustees.Select(t => t.Dealing!)]);
            if (board.Key is not { } shown) return "The board has no ballot key: the ceremony did not finish.";
            if (!shown.PublicKey.Equals(joint.PublicKey)) return "The board's ballot key is not the one the trustees' dealings make.";
            if (!shown.VerificationKeys.SequenceEqual(joint.VerificationKeys)) return "The board's trustee verification keys are not the ones the dealings make.";
            if (shown.Fingerprint != joint.Fingerprint) return $"The board's key fingerprint {shown.Fingerprint} is not the key's ({joint.Fingerprint}).";
            foreach (var trustee in board.Trustees)
            {
                if (trustee.Confirmation is not { } confirmation || confirmation.Trustee != trustee.Index)
                    return $"Trustee {trustee.Index} did not confirm the key.";
                KeyCeremony.CheckConfirmation(settings, joint, confirmation);
            }
            key = joint;
            return null;
        }
        catch (SealingException e)
        {
            return $"Ceremony: {e.Message}";
        }
    }

    /// <summary>Questions have options; sums come one per (constituency, question), constituencies in ordinal order; every paper's constituency has sums.</summary>
    public static string? CheckShape(Board board, out string[] constituencies)
    {
        constituencies = [.. board.Sums.Select(s => s.Constituency).Distinct()];
        if (board.Questions.Count == 0 || board.Questions.Any(q => q.Options.Count is < 2 or > byte.MaxValue))
            return "Every question must have 2 to 255 sealed options.";
        var questions = board.Questions.Count;
        if (board.Sums.Count != constituencies.Length * questions) return $"The board must have one sum per constituency and question ({constituencies.Length} × {questions}).";
        for (var c = 0; c < constituencies.Length; c++)
        {
            if (c > 0 && string.CompareOrdinal(constituencies[c - 1], constituencies[c]) >= 0)
                return $"The sums are not in constituency order at \"{constituencies[c]}\".";
            for (var q = 0; q < questions; q++)
            {
                var sum = board.Sums[c * questions + q];
                if (sum.Constituency != constituencies[c] || sum.Question != q) return $"Sum {c * questions + q} should be constituency \"{constituencies[c]}\", question {q}.";
                if (sum.Options.Count != board.Questions[q].Options.Count) return $"The sum of \"{constituencies[c]}\", question {q} has {sum.Options.Count} options, not {board.Questions[q].Options.Count}.";
            }
        }
        var known = constituencies.ToHashSet(StringComparer.Ordinal);
        for (var p = 0; p < board.Papers.Count; p++)
            if (!known.Contains(board.Papers[p].Constituency))
                return $"Paper {p} (tracker {board.Papers[p].Tracker}) is in constituency \"{board.Papers[p].Constituency}\", which has no sums.";
        return null;
    }

    /// <summary>Every paper's answers (shape and proofs, each under its question's context) and its tracker, of the whole board or of one part; then that trackers are unique (every part).</summary>
    public static string? CheckPapers(Board board, CancellationToken cancellationToken = default) => CheckPapers(board, BoardPart.Whole, cancellationToken);

    public static string? CheckPapers(Board board, BoardPart part, CancellationToken cancellationToken)
    {
        var keyBase = new BallotKey(board.Key!.PublicKey);
        var contexts = board.Questions.Select((_, q) => SealingContext.ForQuestion(board.BallotId, q)).ToArray();
        var faults = new ConcurrentDictionary<int, string>();
        var first = int.MaxValue;
        var count = board.Papers.Count <= part.Number - 1 ? 0 : (board.Papers.Count - part.Number) / part.Of + 1;
        Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var p = part.Number - 1 + i * part.Of;
            if (p > Volatile.Read(ref first)) return;
            if (PaperFault(board, board.Papers[p], keyBase, contexts) is not { } fault) return;
            faults[p] = $"Paper {p} (tracker {board.Papers[p].Tracker}): {fault}";
            int seen;
            while (p < (seen = Volatile.Read(ref first)) && Interlocked.CompareExchange(ref first, p, seen) != seen) { }
        });
        if (first != int.MaxValue) return faults[first];
        var trackers = new HashSet<string>(board.Papers.Count, StringComparer.Ordinal);
        for (var p = 0; p < board.Papers.Count; p++)
            if (!trackers.Add(board.Papers[p].Tracker)) return $"Paper {p}: tracker {board.Papers[p].Tracker} appears twice on the board.";
        return null;
    }

    /// <summary>The sums recomputed from the papers' ciphertexts, in the board's order (constituency, question, option), flat.</summary>
    public static Ciphertext[] RecomputeSums(Board board, IReadOnlyList<string> constituencies)
    {
        var index = constituencies.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var papers = board.Papers;
        return SumAccumulator.SumParallel(constituencies.Count, [.. board.Questions.Select(q => q.Options.Count)], papers.Count,
            (sums, p) => sums.AddPaper(index[papers[p].Constituency], papers[p].Answers));
    }

    /// <summary>The board's sums against the recomputed ones, naming the first that differs.</summary>
    public static string? CompareSums(Board board, IReadOnlyList<Ciphertext> recomputed)
    {
        var k = 0;
        foreach (var sum in board.Sums)
            for (var i = 0; i < sum.Options.Count; i++, k++)
                if (!sum.Options[i].Equals(recomputed[k]))
                    return $"The sum of constituency \"{sum.Constituency}\", question {sum.Question}, option {i} ({OptionName(board, sum.Question, i)}) is not the sum of its papers.";
        return null;
    }

    /// <summary>Each trustee's batched decryption proof against the recomputed sums; then, with t trustees or more, the totals recombined and solved.</summary>
    public static string? CheckDecryptions(Board board, JointKey key, IReadOnlyList<Ciphertext> sums, out long[]? totals)
    {
        totals = null;
        var context = SealingContext.ForBallot(board.BallotId);
        var seen = new HashSet<int>();
        foreach (var decryption in board.Decryptions)
        {
            var trustee = decryption.Trustee;
            if (trustee < 1 || trustee > board.Ceremony.Trustees) return $"The board has decryption shares from trustee {trustee}, who does not exist.";
            if (!seen.Add(trustee)) return $"Trustee {trustee}'s decryption shares appear twice.";
            if (decryption.Shares is null || decryption.Shares.Count != sums.Count) return $"Trustee {trustee} decrypted {decryption.Shares?.Count ?? 0} sums, not {sums.Count}.";
            if (!BatchDecryption.Verify(context, key, sums, decryption)) return $"Trustee {trustee}'s decryption shares do not verify.";
        }
        if (board.Decryptions.Count < board.Ceremony.Threshold) return null;
        var largest = board.Papers.GroupBy(p => p.Constituency, StringComparer.Ordinal).Select(g => (long)g.Count()).DefaultIfEmpty(0).Max();
        try
        {
            totals = ThresholdDecryption.Open(board.Ceremony, sums, board.Decryptions, largest);
            return null;
        }
        catch (SealingException e)
        {
            return $"Count: {e.Message}";
        }
    }

    /// <summary>The board's totals against the recomputed ones, naming the first that differs.</summary>
    public static string? CompareTotals(Board board, IReadOnlyList<long> totals)
    {
        if (board.Totals.Count != board.Sums.Count) return $"The board has {board.Totals.Count} totals, not one per sum ({board.Sums.Count}).";
        var k = 0;
        for (var s = 0; s < board.Sums.Count; s++)
        {
            var (sum, total) = (board.Sums[s], board.Totals[s]);
            if (total.Constituency != sum.Constituency || total.Question != sum.Question || total.Options.Count != sum.Options.Count)
                return $"Total {s} should be constituency \"{sum.Constituency}\", question {sum.Question}, with {sum.Options.Count} options.";
            for (var i = 0; i < total.Options.Count; i++, k++)
                if (total.Options[i] != totals[k])
                    return $"The total of constituency \"{sum.Constituency}\", question {sum.Question}, option {i} ({OptionName(board, sum.Question, i)}) is {totals[k]}, not {total.Options[i]} as the board says.";
        }
        return null;
    }

    private static string? PaperFault(Board board, BoardPaper paper, BallotKey key, byte[][] contexts)
    {
        if (paper.Answers.Count != board.Questions.Count) return $"it has {paper.Answers.Count} answers, not {board.Questions.Count}.";
        for (var q = 0; q < paper.Answers.Count; q++)
        {
            if (paper.Answers[q].Options.Count != board.Questions[q].Options.Count) return $"its answer to question {q} does not have {board.Questions[q].Options.Count} options.";
            if (!paper.Answers[q].Verify(key, contexts[q])) return $"the proofs of its answer to question {q} do not verify.";
        }
        if (SealedPaper.Tracker(paper.Answers) != paper.Tracker) return "its tracker is not the hash of its ciphertexts.";
        return null;
    }

    private static string OptionName(Board board, int question, int option) =>
        question < board.Questions.Count && option < board.Questions[question].Options.Count ? board.Questions[question].Options[option] : "?";
}
