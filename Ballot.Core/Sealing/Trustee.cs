namespace Ballot.Core.Sealing;

/// <summary>What a trustee keeps secret between the steps of the ceremony and until the count; saved in a <see cref="ShareFile"/>.</summary>
public sealed record TrusteeSecrets(
    CeremonySettings Settings, int Trustee, Scalar TransportSecret, IReadOnlyList<Scalar>? Polynomial, Scalar? Share, JointKey? Key);

/// <summary>
/// The secret side of one trustee, run on the trustee's own machine: announce, deal, finish, and later decrypt the sums.
/// Its share is F(i) = Σ_d f_d(i) over every dealer's polynomial; no one ever holds F(0), the ballot's secret key.
/// </summary>
public sealed class Trustee
{
    private readonly Scalar _transportSecret;
    private IReadOnlyList<Scalar>? _polynomial;
    private Scalar? _share;
    private JointKey? _key;

    private Trustee(TrusteeSecrets secrets)
    {
        secrets.Settings.Check();
        secrets.Settings.CheckTrustee(secrets.Trustee);
        Settings = secrets.Settings;
        Index = secrets.Trustee;
        _transportSecret = secrets.TransportSecret;
        _polynomial = secrets.Polynomial;
        _share = secrets.Share;
        _key = secrets.Key;
    }

    public CeremonySettings Settings { get; }

    public int Index { get; }

    public Element TransportKey => Group.Generator.Multiply(_transportSecret);

    public JointKey Key => _key ?? throw new InvalidOperationException("The ceremony is not finished.");

    public bool IsFinished => _share is not null;

    public static Trustee Create(CeremonySettings settings, int trustee)
    {
        settings.Check();
        var polynomial = Enumerable.Range(0, settings.Threshold).Select(_ => NonZeroRandom()).ToArray();
        return new Trustee(new TrusteeSecrets(settings, trustee, NonZeroRandom(), polynomial, null, null));
    }

    public static Trustee Restore(TrusteeSecrets secrets) => new(secrets);

    public TrusteeSecrets Export() => new(Settings, Index, _transportSecret, _polynomial, _share, _key);

    public TrusteeAnnouncement Announce()
    {
        var proof = SchnorrProof.Create(KeyCeremony.TransportTranscript(Settings, Index), TransportKey, _transportSecret);
        return new TrusteeAnnouncement(Index, TransportKey, proof, KeyCeremony.HashCommitments(Commitments()));
    }

    public DealerMessage Deal(IReadOnlyList<TrusteeAnnouncement> announcements)
    {
        var polynomial = Polynomial();
        CheckAnnouncements(announcements);
        var commitments = Commitments();
        var constantProof = SchnorrProof.Create(KeyCeremony.ConstantTranscript(Settings, Index), commitments[0], polynomial[0]);
        var shares = announcements
            .Where(a => a.Trustee != Index)
            .OrderBy(a => a.Trustee)
            .Select(a => ShareBox.Seal(Settings, Index, a.Trustee, a.TransportKey, Evaluate(polynomial, a.Trustee)))
            .ToArray();
        return new DealerMessage(Index, commitments, constantProof, shares);
    }

    /// <summary>Opens and checks the share from every dealer, forms this trustee's share, and confirms the joint key.</summary>
    public TrusteeConfirmation Finish(IReadOnlyList<TrusteeAnnouncement> announcements, IReadOnlyList<DealerMessage> messages)
    {
        var polynomial = Polynomial();
        CheckAnnouncements(announcements);
        var share = Scalar.Zero;
        foreach (var message in messages)
        {
            var announcement = announcements.FirstOrDefault(a => a.Trustee == message.Dealer)
                ?? throw new SealingException($"Trustee {message.Dealer} dealt without announcing.", message.Dealer);
            KeyCeremony.CheckDealerMessage(Settings, announcement, message);
            var mine = message.Dealer == Index
                ? Evaluate(polynomial, Index)
                : ShareBox.Open(Settings, message.Dealer, message.Shares.Single(s => s.Recipient == Index), _transportSecret);
            if (!Group.Generator.Multiply(mine).Equals(KeyCeremony.EvaluateInExponent(message.Commitments, Index)))
                throw new SealingException($"The share from trustee {message.Dealer} does not match its commitments.", message.Dealer);
            share += mine;
        }
        var key = KeyCeremony.Combine(Settings, messages);
        if (!Group.Generator.Multiply(share).Equals(key.VerificationKey(Index)))
            throw new SealingException($"Trustee {Index}'s share does not match its verification key.", Index);
        _share = share;
        _key = key;
        _polynomial = null;
        return new TrusteeConfirmation(Index, key.Fingerprint, SchnorrProof.Create(KeyCeremony.ShareTranscript(Settings, Index), key.VerificationKey(Index), share));
    }

    /// <summary>This trustee's share of the decryption of every sum, with one proof that it used the share behind its verification key (ADR 0908).</summary>
    public BoardDecryption Decrypt(byte[] context, IReadOnlyList<Ciphertext> sums) =>
        BatchDecryption.Create(context, this, _share ?? throw new InvalidOperationException("The ceremony is not finished."), sums);

    private IReadOnlyList<Scalar> Polynomial() =>
        _polynomial ?? throw new InvalidOperationException("This trustee has already finished the ceremony.");

    private Element[] Commitments() => [.. Polynomial().Select(Group.Generator.Multiply)];

    private void CheckAnnouncements(IReadOnlyList<TrusteeAnnouncement> announcements)
    {
        if (!announcements.Select(a => a.Trustee).Order().SequenceEqual(Enumerable.Range(1, Settings.Trustees)))
            throw new SealingException($"The ceremony needs one announcement from each of the {Settings.Trustees} trustees.");
        foreach (var announcement in announcements) KeyCeremony.CheckAnnouncement(Settings, announcement);
    }

    private static Scalar Evaluate(IReadOnlyList<Scalar> polynomial, int at)
    {
        var x = Scalar.From(at);
        var result = Scalar.Zero;
        for (var k = polynomial.Count - 1; k >= 0; k--) result = result * x + polynomial[k];
        return result;
    }

    private static Scalar NonZeroRandom()
    {
        var s = Scalar.Random();
        return s.IsZero ? NonZeroRandom() : s;
    }
}
