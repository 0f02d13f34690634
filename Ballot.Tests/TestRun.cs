using Ballot.Tests.Infrastructure;

namespace Ballot.Tests;

/// <summary>What the whole test run shares: the migrated template every fixture's database is copied from.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public async Task DropTemplate() => await TestDatabase.DropTemplateAsync();
}
