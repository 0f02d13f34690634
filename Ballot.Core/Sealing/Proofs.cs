namespace Ballot.Core.Sealing;

/// <summary>Schnorr proof of knowledge of x with Y = x·G, in the (challenge, response) form.</summary>
public sealed record SchnorrProof(Scalar Challenge, Scalar Response)
{
    public static SchnorrProof Create(Transcript transcript, Element y, Scalar x)
    {
        var w = Scalar.Random();
        var c = Bind(transcript, y, Group.Generator.Multiply(w));
        return new(c, w + c * x);
    }

    public bool Verify(Transcript transcript, Element y) =>
        !y.IsIdentity && Bind(transcript, y, Element.Combine(Group.Generator.Value, Response, y, -Challenge)).Equals(Challenge);

    private static Scalar Bind(Transcript t, Element y, Element commitment) =>
        t.Append(Group.Generator).Append(y).Append(commitment).Challenge();
}

/// <summary>Chaum–Pedersen proof that log_B1(Y1) = log_B2(Y2), knowing that logarithm x.</summary>
public sealed record EqualityProof(Scalar Challenge, Scalar Response)
{
    public static EqualityProof Create(Transcript transcript, IBase b1, IBase b2, Element y1, Element y2, Scalar x)
    {
        var w = Scalar.Random();
        var points = Element.Normalized(y1, y2, b1.Multiply(w), b2.Multiply(w));
        var c = Bind(transcript, b1.Value, b2.Value, points[0], points[1], points[2], points[3]);
        return new(c, w + c * x);
    }

    public bool Verify(Transcript transcript, Element b1, Element b2, Element y1, Element y2)
    {
        var points = Element.Normalized(y1, y2, Element.Combine(b1, Response, y1, -Challenge), Element.Combine(b2, Response, y2, -Challenge));
        return Bind(transcript, b1, b2, points[0], points[1], points[2], points[3]).Equals(Challenge);
    }

    private static Scalar Bind(Transcript t, Element b1, Element b2, Element y1, Element y2, Element t1, Element t2) =>
        t.Append(b1).Append(b2).Append(y1).Append(y2).Append(t1).Append(t2).Challenge();
}

/// <summary>
/// Disjunctive Chaum–Pedersen proof (Cramer–Damgård–Schoenmakers) that (A, B) encrypts 0 or 1 under H:
/// for the true m the prover answers a real challenge, for the other it simulates, and the two challenges sum to the hash.
/// </summary>
public sealed record ZeroOrOneProof(Scalar Challenge0, Scalar Challenge1, Scalar Response0, Scalar Response1)
{
    public static ZeroOrOneProof Create(Transcript transcript, BallotKey key, Ciphertext c, int m, Scalar r)
    {
        if (m is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(m), "A 0-or-1 proof needs 0 or 1.");
        var g = Group.Generator;
        var challenges = new Scalar[2];
        var responses = new Scalar[2];
        var commitments = new Element[4];
        var w = Scalar.Random();
        for (var j = 0; j < 2; j++)
        {
            if (j == m)
            {
                commitments[2 * j] = g.Multiply(w);
                commitments[2 * j + 1] = key.Base.Multiply(w);
                continue;
            }
            challenges[j] = Scalar.Random();
            responses[j] = Scalar.Random();
            // The simulated commitments s·G − c·A and s·H − c·(B − j·G), rewritten with A = r·G and B − j·G = (m − j)·G + r·H
            // so that only the two fixed bases are multiplied: the same values, at comb speed.
            var t = responses[j] - challenges[j] * r;
            commitments[2 * j] = g.Multiply(t);
            commitments[2 * j + 1] = key.Base.Multiply(t).Subtract(g.Multiply(challenges[j] * Scalar.From(m - j)));
        }
        var total = Bind(transcript, key, c, Element.Normalized(commitments));
        challenges[m] = total - challenges[1 - m];
        responses[m] = w + challenges[m] * r;
        return new(challenges[0], challenges[1], responses[0], responses[1]);
    }

    public bool Verify(Transcript transcript, BallotKey key, Ciphertext c)
    {
        var g = Group.Generator.Value;
        Element[] commitments =
        [
            Element.Combine(g, Response0, c.A, -Challenge0),
            Element.Combine(key.Value, Response0, c.B, -Challenge0),
            Element.Combine(g, Response1, c.A, -Challenge1),
            Element.Combine(key.Value, Response1, Shifted(c.B, 1), -Challenge1),
        ];
        return Bind(transcript, key, c, Element.Normalized(commitments)).Equals(Challenge0 + Challenge1);
    }

    // B − j·G: the second component with the claimed plaintext j taken out.
    private static Element Shifted(Element b, int j) => j == 0 ? b : b.Subtract(Group.Generator.Value);

    private static Scalar Bind(Transcript t, BallotKey key, Ciphertext c, Element[] commitments)
    {
        t.Append(Group.Generator).Append(key.Base).Append(c);
        foreach (var commitment in commitments) t.Append(commitment);
        return t.Challenge();
    }
}
