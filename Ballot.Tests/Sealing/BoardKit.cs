using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

/// <summary>A small closed ballot's board built in-process, as the server would publish it: ceremony, papers, sums, decryptions, totals.</summary>
internal sealed record BoardFixture(Ceremony Ceremony, Board Board, long[][] Cast);

internal static class BoardKit
{
    public static readonly string[] Constituencies = ["east", "north", "west"];

    /// <summary>Two questions (3 and 4 sealed options), papers spread over three constituencies (one left empty), counted by trustees 1 and 3.</summary>
    public static BoardFixture Closed(long ballotId, int papers, bool decrypted = true)
    {
        var ceremony = SealingKit.Run(ballotId, threshold: 2, trustees: 3);
        int[] optionCounts = [3, 4];
        var random = new Random((int)ballotId);
        using var sealer = new PaperSealer(ballotId, ceremony.BallotKey, optionCounts, slotsPerQuestion: 4, fillInBackground: false);
        var cast = Constituencies.Select(_ => new long[7]).ToArray();
        var boardPapers = new List<BoardPaper>();
        for (var p = 0; p < papers; p++)
        {
            var c = random.Next(2) * 2;
            int[] chosen = [random.Next(3), random.Next(4)];
            cast[c][chosen[0]]++;
            cast[c][3 + chosen[1]]++;
            var answers = sealer.SealPaper(chosen);
            boardPapers.Add(new BoardPaper(SealedPaper.Tracker(answers), Constituencies[c], answers));
        }
        var accumulator = new SumAccumulator(Constituencies.Length, optionCounts);
        foreach (var paper in boardPapers) accumulator.AddPaper(Array.IndexOf(Constituencies, paper.Constituency), paper.Answers);
        var flat = accumulator.Sums();
        var sums = new List<BoardSum>();
        for (int c = 0, k = 0; c < Constituencies.Length; c++)
            for (var q = 0; q < optionCounts.Length; k += optionCounts[q], q++)
                sums.Add(new BoardSum(Constituencies[c], q, flat[k..(k + optionCounts[q])]));
        var context = SealingContext.ForBallot(ballotId);
        var decryptions = decrypted
            ? new[] { 0, 2 }.Select(t => ceremony.Trustees[t].Decrypt(context, flat)).ToList()
            : [];
        var totals = decrypted
            ? sums.Select(s => new BoardTotal(s.Constituency, s.Question,
                cast[Array.IndexOf(Constituencies, s.Constituency)].Skip(s.Question == 0 ? 0 : 3).Take(optionCounts[s.Question]).ToArray())).ToList()
            : [];
        var board = new Board(Board.FormatName, Board.CurrentVersion, ballotId, "Pay offer and officers", ceremony.Settings, ceremony.Key,
            [.. ceremony.Trustees.Select((t, i) => new BoardTrustee(t.Index, i == 0 ? "scrutineer" : i == 1 ? "executive" : "reserve", $"Trustee {t.Index}",
                ceremony.Announcements[i], ceremony.Messages[i], ceremony.Confirmations[i]))],
            [new BoardQuestion("offer", "Accept the offer?", ["Yes", "No", "spoiled"]), new BoardQuestion("chair", "Chair", ["Ann", "Bob", "Cy", "spoiled"])],
            boardPapers, sums, decryptions, totals, null);
        return new BoardFixture(ceremony, SealingKit.Relay(board), cast);
    }
}
