using Ballot.Core.Ballots;
using Ballot.Core.Common;

namespace Ballot.Tests.Console;

/// <summary>Times as people read them, in the union's zone: winter GMT, summer BST, and the zone's own offset elsewhere.</summary>
public sealed class UnionTimeTests
{
    [Test]
    public void Times_read_in_the_unions_zone()
    {
        var london = new UnionTime("Europe/London");
        Assert.That(london.When(new DateTimeOffset(2026, 12, 1, 13, 49, 0, TimeSpan.Zero)), Is.EqualTo("Tuesday 1 December 2026 at 13:49 GMT"));
        Assert.That(london.When(new DateTimeOffset(2026, 9, 7, 9, 0, 0, TimeSpan.Zero)), Is.EqualTo("Monday 7 September 2026 at 10:00 BST"));
        // The last minute of summer time, and the first of winter: 01:59 BST is 00:59 UTC; an hour later is 01:59 GMT.
        Assert.That(london.When(new DateTimeOffset(2026, 10, 25, 0, 59, 0, TimeSpan.Zero)), Is.EqualTo("Sunday 25 October 2026 at 01:59 BST"));
        Assert.That(london.When(new DateTimeOffset(2026, 10, 25, 1, 59, 0, TimeSpan.Zero)), Is.EqualTo("Sunday 25 October 2026 at 01:59 GMT"));
        Assert.That(new UnionTime("Europe/Paris").When(new DateTimeOffset(2026, 12, 1, 13, 49, 0, TimeSpan.Zero)), Is.EqualTo("Tuesday 1 December 2026 at 14:49 UTC+01:00"));
        Assert.That(UnionTime.Remaining(TimeSpan.FromHours(51)), Is.EqualTo("2 days 3 hours"));
        Assert.That(UnionTime.Remaining(TimeSpan.FromMinutes(61)), Is.EqualTo("1 hour 1 minute"));
    }

    [Test]
    public void Letters_and_voting_pages_say_the_time_in_the_default_zone()
    {
        Assert.That(Letters.When(new DateTimeOffset(2026, 12, 1, 13, 49, 0, TimeSpan.Zero)), Is.EqualTo("Tuesday 1 December 2026 at 13:49 GMT"));
    }
}
