using Ballot.Api.Cli;
using Ballot.Core.Sealing;

namespace Ballot.Tests.Sealing;

/// <summary>
/// trustee decrypt and verify, run in-process on board files: a trustee decrypts only the sums it recomputed, and the
/// verifier command says "valid" or names the fault, with exit codes 0 and 1.
/// </summary>
[NonParallelizable]
public sealed class TrusteeDecryptCliTests
{
    private const string Passphrase = "correct horse battery";
    private string _dir = null!;
    private BoardFixture _fixture = null!;
    private string? _savedPassphrase;

    [OneTimeSetUp]
    public void Close()
    {
        _dir = Directory.CreateTempSubdirectory("ballot-decrypt-").FullName;
        _fixture = BoardKit.Closed(41, papers: 12, decrypted: false);
        for (var i = 0; i < 3; i++)
            File.WriteAllBytes(Share(i + 1), ShareFile.Write(_fixture.Ceremony.Trustees[i].Export(), Passphrase, SealingKit.CheapKdf));
        _savedPassphrase = Environment.GetEnvironmentVariable(TrusteeDecrypt.PassphraseVariable);
        Environment.SetEnvironmentVariable(TrusteeDecrypt.PassphraseVariable, Passphrase);
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        Environment.SetEnvironmentVariable(TrusteeDecrypt.PassphraseVariable, _savedPassphrase);
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task Two_trustees_decrypt_the_board_file_and_the_verifier_then_finds_it_valid_with_the_votes_cast()
    {
        var boardFile = Write("closed.json", _fixture.Board);
        var decryptions = new List<BoardDecryption>();
        foreach (var trustee in new[] { 2, 3 })
        {
            var (code, output, error) = await Run(TrusteeDecrypt.RunAsync, "decrypt", "--file", Share(trustee), "--board", boardFile, "--out", Path.Combine(_dir, $"d{trustee}.json"));
            Assert.That(code, Is.Zero, error);
            Assert.That(output, Does.Contain("Decrypted 21 sums of 3 constituencies as trustee " + trustee));
            decryptions.Add(SealingJson.Deserialize<BoardDecryption>(File.ReadAllText(Path.Combine(_dir, $"d{trustee}.json"))));
        }
        var sums = _fixture.Board.Sums.SelectMany(s => s.Options).ToArray();
        var context = SealingContext.ForBallot(41);
        var totals = ThresholdDecryption.Count(_fixture.Ceremony.Settings, context, _fixture.Board.Key!, sums, decryptions, 12);
        Assert.That(totals.Chunk(7).ToArray(), Is.EqualTo(_fixture.Cast));

        var counted = _fixture.Board with
        {
            Decryptions = decryptions,
            Totals = [.. _fixture.Board.Sums.Select((s, i) => new BoardTotal(s.Constituency, s.Question, totals[(i / 2 * 7 + (s.Question == 0 ? 0 : 3))..(i / 2 * 7 + (s.Question == 0 ? 3 : 7))]))],
        };
        var (verified, said, _) = await Run(BoardVerify.RunAsync, "verify", "--board", Write("counted.json", counted));
        Assert.That(verified, Is.Zero);
        Assert.That(said, Does.StartWith("valid: 12 papers, 21 sums, 2 trustees' decryption shares, totals recomputed"));
        var (part, inPart, _) = await Run(BoardVerify.RunAsync, "verify", "--board", Path.Combine(_dir, "counted.json"), "--part", "2/3");
        Assert.That(part, Is.Zero);
        Assert.That(inPart, Does.StartWith("valid (part 2 of 3): 4 of 12 papers' proofs checked"));
        var (badPart, _, partUsage) = await Run(BoardVerify.RunAsync, "verify", "--board", Path.Combine(_dir, "counted.json"), "--part", "4/3");
        Assert.That(badPart, Is.EqualTo(2));
        Assert.That(partUsage, Does.Contain("--part takes K/N"));
    }

    [Test]
    public async Task A_trustee_refuses_a_sum_that_is_not_the_sum_of_the_papers_and_decrypts_nothing()
    {
        // The attack a recomputing trustee stops: a "sum" that is one member's ciphertext would decrypt that member's vote.
        var sums = _fixture.Board.Sums.ToList();
        sums[0] = sums[0] with { Options = _fixture.Board.Papers.First(p => p.Constituency == "east").Answers[0].Options };
        var outFile = Path.Combine(_dir, "refused.json");
        var (code, _, error) = await Run(TrusteeDecrypt.RunAsync, "decrypt", "--file", Share(1), "--board", Write("forged.json", _fixture.Board with { Sums = sums }), "--out", outFile);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("The sum of constituency \"east\", question 0, option 0 (Yes) is not the sum of its papers.").And.Contains("Nothing was decrypted"));
        Assert.That(File.Exists(outFile), Is.False);

        var (verified, _, fault) = await Run(BoardVerify.RunAsync, "verify", "--board", Path.Combine(_dir, "forged.json"));
        Assert.That(verified, Is.EqualTo(1));
        Assert.That(fault, Does.Contain("The sum of constituency \"east\", question 0, option 0 (Yes) is not the sum of its papers."));
    }

    [Test]
    public async Task A_wrong_passphrase_another_ballots_board_or_a_tampered_paper_decrypt_nothing()
    {
        var boardFile = Write("closed-again.json", _fixture.Board);
        Environment.SetEnvironmentVariable(TrusteeDecrypt.PassphraseVariable, "not the passphrase");
        var (wrong, _, said) = await Run(TrusteeDecrypt.RunAsync, "decrypt", "--file", Share(1), "--board", boardFile, "--out", Path.Combine(_dir, "x.json"));
        Environment.SetEnvironmentVariable(TrusteeDecrypt.PassphraseVariable, Passphrase);
        Assert.That(wrong, Is.EqualTo(1));
        Assert.That(said, Does.Contain("passphrase does not open"));

        var other = BoardKit.Closed(42, papers: 2, decrypted: false).Board;
        var (elsewhere, _, mismatch) = await Run(TrusteeDecrypt.RunAsync, "decrypt", "--file", Share(1), "--board", Write("other.json", other), "--out", Path.Combine(_dir, "x.json"));
        Assert.That(elsewhere, Is.EqualTo(1));
        Assert.That(mismatch, Does.Contain("This board is for ballot 42"));

        var papers = _fixture.Board.Papers.ToList();
        papers[3] = papers[3] with { Answers = [papers[3].Answers[0], papers[4].Answers[1]] };
        var (tampered, _, fault) = await Run(TrusteeDecrypt.RunAsync, "decrypt", "--file", Share(1), "--board", Write("tampered.json", _fixture.Board with { Papers = papers }), "--out", Path.Combine(_dir, "x.json"));
        Assert.That(tampered, Is.EqualTo(1));
        Assert.That(fault, Does.Contain($"Paper 3 (tracker {papers[3].Tracker})"));
        Assert.That(File.Exists(Path.Combine(_dir, "x.json")), Is.False);

        var (usage, _, help) = await Run(TrusteeDecrypt.RunAsync, "decrypt", "--board", boardFile);
        Assert.That(usage, Is.EqualTo(2));
        Assert.That(help, Does.Contain("usage"));
    }

    private string Share(int trustee) => Path.Combine(_dir, $"share-{trustee}.json");

    private string Write(string name, Board board)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, SealingJson.Serialize(board));
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> Run(Func<string[], TextWriter, TextWriter, Task<int>> command, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await command(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
