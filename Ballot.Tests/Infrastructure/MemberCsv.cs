using System.Text;

namespace Ballot.Tests.Infrastructure;

/// <summary>Builds register CSV files for tests: n members spread over schools, employers and regions.</summary>
public static class MemberCsv
{
    public const string Header = "membership_number,first_name,last_name,email,workplace,employer,region,category";

    public static string Generate(int count, int schools = 10, string prefix = "M", string category = "teacher")
    {
        var sb = new StringBuilder(Header).Append('\n');
        for (var i = 1; i <= count; i++)
        {
            var s = i % schools;
            sb.Append($"{prefix}{i:D6},First{i},Last{i},member{i}@example.org,School {s},Employer {s % 3},Region {s % 2},{category}\n");
        }
        return sb.ToString();
    }
}
