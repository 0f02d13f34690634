using System.Data.Common;
using Ballot.Core.Common;
using Ballot.Core.Members;
using Dapper;

namespace Ballot.Core.Ballots;

/// <summary>What creating and editing a draft share: the input checked against the register and the rule set in force, ready to store. Saves nothing.</summary>
internal static class DraftInput
{
    public static async Task<(StoredDefinition Def, string? RuleSet, VotingMethod Method)> PrepareAsync(DbConnection conn, DbTransaction tx, BallotInput input)
    {
        var def = StoredDefinition.From(input);
        var categories = await Categories.LoadAsync(conn);
        var problems = new Problems();
        foreach (var cat in def.Electorate.Categories ?? [])
            if (!categories.Contains(cat)) problems.Add("electorate.categories", $"Unknown category '{cat}'.");
        foreach (var wid in def.Electorate.WorkplaceIds ?? [])
            if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM workplace WHERE id = @wid", new { wid }, tx) == 0)
                problems.Add("electorate.workplaceIds", $"No workplace with id {wid}.");
        string? ruleSet = null;
        if (input.Kind == BallotKind.IndustrialAction)
        {
            var rules = await RuleSet.ForOpeningAsync(conn, input.OpensAt!.Value, tx);
            ruleSet = rules.Code;
            var ia = input.IndustrialAction!;
            if (rules.DisputeSummaryRequired)
            {
                // s.229(2D) under the 2016 rules: the paper summarises the dispute, the types of action and their periods.
                if (string.IsNullOrWhiteSpace(ia.MattersInIssue))
                    problems.Add("industrialAction.mattersInIssue", $"Under {rules.Name} the voting paper must summarise the matters in issue.");
                if (ia.ActionShortOfStrike && string.IsNullOrWhiteSpace(ia.ActionShortOfStrikeTypes))
                    problems.Add("industrialAction.actionShortOfStrikeTypes", $"Under {rules.Name} the voting paper must give the types of action short of a strike.");
                if (string.IsNullOrWhiteSpace(ia.Periods))
                    problems.Add("industrialAction.periods", $"Under {rules.Name} the voting paper must say when the action is expected to take place.");
            }
            else if (ia.ActionShortOfStrike && string.IsNullOrWhiteSpace(ia.ActionShortOfStrikeTypes))
                problems.Add("industrialAction.actionShortOfStrikeTypes", "The voting paper must give the type of action short of a strike.");
        }
        problems.ThrowIfAny();
        var method = await VotingMethods.ChooseAsync(conn, input.Kind!.Value, input.VotingMethod, input.OpensAt!.Value, tx);
        return (def, ruleSet, method);
    }
}
