using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ballot.Core.Staff;
using Ballot.Tests.Ballots;
using Ballot.Tests.Infrastructure;

namespace Ballot.Tests.Foundation;

/// <summary>
/// Issue 11, flaw 10: hostile input never gets a 5xx. The test reads the API's own OpenAPI document and attacks every
/// operation in it, as every role and with no token: malformed JSON, every property of the wrong type, huge and
/// negative numbers, 100,000-character strings, NUL, lone surrogates and right-to-left marks, hostile path and query
/// values, and a 20 MB body on the imports. Every answer must be a 4xx problem document (or the member pages' 4xx HTML
/// page), or a success for input that is odd but valid. A new endpoint is attacked without anyone writing a case.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly string[] Roles = [Ballot.Core.Staff.Roles.Executive, Ballot.Core.Staff.Roles.Organiser, Ballot.Core.Staff.Roles.Scrutineer, "none"];

    /// <summary>Pages for members that are not in the API document (they answer HTML).</summary>
    private static readonly (string Method, string Path)[] MemberPages = [("GET", "/vote/{credential}"), ("POST", "/vote/{credential}")];

    private static readonly string Long = new('x', 100_000);

    /// <summary>Path and query values; raw ones go into the URL as written (already escaped where needed).</summary>
    private static readonly string[] RawValues =
    [
        "0", "-1", "99999999999999999999", "-99999999999999999999", "1.5", "1e308", "%00", "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd",
        "%E2%80%AE%E2%80%8Fevil", "%ED%A0%80", "%C0%AF", "%FF%FE", "%20", "%0D%0ASet-Cookie:%20x=1", "null", "true", "[]", "%7B%7D",
        new string('9', 2000), Uri.EscapeDataString(new string('é', 1000)), "'%20OR%201=1--", "%3Cscript%3E",
    ];

    /// <summary>JSON values put in place of each property of a body in turn.</summary>
    private static readonly string[] HostileJson =
    [
        "123", "-1", "0", "99999999999999999999999999999999", "-99999999999999999999999999999999", "1e308", "-1e308", "1.5", "true",
        "\"text\"", "\"\"", "[]", "{}", "null", "[[[[[[[[[[1]]]]]]]]]]", "[1,\"a\",null,{}]", "{\"a\":{\"b\":{\"c\":1}}}",
        "\"" + Long + "\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u202e\\u200fevil\"", "\"2026-13-45T99:99:99Z\"",
        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"../../etc/passwd\"", "\"{{ 7*7 }}{% raw %}\"",
    ];

    /// <summary>Whole bodies that are not the JSON the operation takes.</summary>
    private static readonly (string ContentType, byte[] Body)[] BadBodies =
    [
        ("application/json", "{"u8.ToArray()), ("application/json", "{\"a\":"u8.ToArray()), ("application/json", "[]"u8.ToArray()),
        ("application/json", "null"u8.ToArray()), ("application/json", "\"x\""u8.ToArray()), ("application/json", []),
        ("application/json", "{\"unknown\":1}"u8.ToArray()), ("application/json", [(byte)'{', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)':', (byte)'1', (byte)'}']),
        ("application/json", Encoding.UTF8.GetBytes(new string('[', 5000))), ("text/plain", "hello"u8.ToArray()),
        ("application/x-www-form-urlencoded", "a=1&b=%00"u8.ToArray()), ("multipart/form-data", "--x\r\n"u8.ToArray()),
        ("application/json; charset=utf-16", "{}"u8.ToArray()),
    ];

    private sealed record Attack(string Role, string Method, string Path, string Url, string ContentType, byte[]? Body, string What);

    [Test]
    public async Task Every_operation_answers_hostile_input_with_a_4xx_problem_and_never_a_5xx()
    {
        var watch = Stopwatch.StartNew();
        await using var api = await ApiHost.StartAsync(s => s["Ballots:FailedLookupsPerMinute"] = "100000");
        var kit = new BallotKit(api);
        await kit.ImportMembers(MemberCsv.Generate(6, schools: 2));
        await kit.OpenConsultative();
        await kit.Create(BallotKit.Consultative(kit.Now.AddDays(1), kit.Now.AddDays(3)));

        var clients = new Dictionary<string, HttpClient>();
        foreach (var role in Roles)
        {
            var c = role == "none" ? new HttpClient { BaseAddress = api.BaseAddress } : await api.ClientFor(role);
            c.Timeout = TimeSpan.FromSeconds(60);
            clients[role] = c;
        }
        var doc = JsonNode.Parse(await clients["none"].GetStringAsync("/openapi/v1.json"))!;
        var schemas = doc["components"]?["schemas"]?.AsObject();

        var operations = new List<(string Method, string Path, JsonArray Parameters, JsonNode? Body)>();
        foreach (var (path, item) in doc["paths"]!.AsObject())
            foreach (var (method, op) in item!.AsObject())
            {
                if (method == "parameters") continue;
                var body = op!["requestBody"]?["content"]?["application/json"]?["schema"];
                operations.Add((method.ToUpperInvariant(), path, op["parameters"]?.AsArray() ?? [], body));
            }
        foreach (var (method, path) in MemberPages)
            operations.Add((method, path, [new JsonObject { ["name"] = "credential", ["in"] = "path" }], null));
        Assert.That(operations, Has.Count.GreaterThan(40), "the document lists the API's operations");

        var attacks = new List<Attack>();
        foreach (var (method, path, parameters, bodySchema) in operations)
        {
            var pathParams = parameters.Where(p => (string?)p!["in"] == "path").Select(p => (string)p!["name"]!).ToList();
            var queryParams = parameters.Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!).ToList();
            string Url(string? hostileParam, string? value, string? query = null)
            {
                var url = path;
                foreach (var p in pathParams) url = url.Replace("{" + p + "}", p == hostileParam ? value! : "1");
                return query is null ? url : url + "?" + query;
            }
            var sample = bodySchema is null ? null : Example(bodySchema, schemas, 0);
            var sampleBytes = sample is null ? null : Encoding.UTF8.GetBytes(sample.ToJsonString());
            var isImport = path.EndsWith("/import", StringComparison.Ordinal);
            foreach (var role in Roles)
            {
                void Add(string url, string contentType, byte[]? body, string what) => attacks.Add(new Attack(role, method, path, url, contentType, body, what));
                Add(Url(null, null), "application/json", sampleBytes, "sample body");
                foreach (var p in pathParams)
                    foreach (var v in RawValues) Add(Url(p, v), "application/json", sampleBytes, $"path {p}={v[..Math.Min(v.Length, 30)]}");
                foreach (var q in queryParams)
                    foreach (var v in RawValues) Add(Url(null, null, $"{q}={v}"), "application/json", sampleBytes, $"query {q}={v[..Math.Min(v.Length, 30)]}");
                if (method is "POST" or "PUT" or "PATCH")
                    foreach (var (type, body) in BadBodies) Add(Url(null, null), type, body, $"{type} body {Encoding.UTF8.GetString(body)[..Math.Min(body.Length, 20)]}");
                if (sample is not null)
                    foreach (var (jsonPath, mutated) in Mutations(sample))
                        Add(Url(null, null), "application/json", Encoding.UTF8.GetBytes(mutated), jsonPath);
                if (isImport)
                {
                    var huge = new byte[20 * 1024 * 1024];
                    Array.Fill(huge, (byte)'a');
                    for (var i = 100; i < huge.Length; i += 101) huge[i] = (byte)'\n';
                    foreach (var type in new[] { "text/csv", "application/octet-stream", "text/markdown" })
                        Add(Url(null, null), type, huge, $"20 MB {type}");
                    Add(Url(null, null), "text/csv", [.. "membership_number,first_name\n\0"u8, 0xED, 0xA0, 0x80, (byte)',', .. "\u202e\n"u8], "csv with NUL");
                    Add(Url(null, null), "text/csv", Encoding.UTF8.GetBytes("membership_number,first_name,last_name,email\n" + Long + ",a,b,c@d.org\n"), "csv with 100k cell");
                    Add(Url(null, null), "text/csv", Encoding.UTF8.GetBytes(MemberCsv.Header + "\nN1,a\0b,c,n1@example.org,S\u202e,E,R,teacher\n"), "csv with NUL in a cell");
                    Add(Url(null, null), "text/markdown", Encoding.UTF8.GetBytes("# Motion\0\n\nText \0 here\n"), "markdown with NUL");
                }
            }
        }

        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(attacks, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (a, ct) =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(a.Method), a.Url);
            if (a.Body is not null && a.Method is "POST" or "PUT" or "PATCH")
            {
                request.Content = new ByteArrayContent(a.Body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(a.ContentType);
            }
            string verdict;
            int status;
            try
            {
                using var response = await clients[a.Role].SendAsync(request, ct);
                status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync(ct);
                verdict = Judge(response, text, a.Path);
                // Kestrel refuses a NUL in the path itself, with a bare 400, before any of the application runs: no hook
                // can make that a problem document, and nothing reaches a handler.
                if (verdict.Length > 0 && status == 400 && text.Length == 0 && a.Url.Split('?')[0].Contains("%00", StringComparison.Ordinal)) verdict = "";
                if (verdict.Length > 0) verdict += ": " + text[..Math.Min(text.Length, 300)];
            }
            catch (HttpRequestException e)
            {
                status = 0;
                verdict = "connection failed: " + e.Message;
            }
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (verdict.Length > 0) failures.Add($"{a.Method} {a.Path} as {a.Role}, {a.What} ({a.Url[..Math.Min(a.Url.Length, 80)]}) -> {status} {verdict}");
        });
        foreach (var c in clients.Values) c.Dispose();

        TestContext.Progress.WriteLine($"{attacks.Count} attacks on {operations.Count} operations in {watch.Elapsed.TotalSeconds:0.0} s; " +
                                       string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        foreach (var f in failures.OrderBy(f => f).Take(400)) TestContext.Progress.WriteLine(f);
        Assert.That(failures.OrderBy(f => f).Take(60), Is.Empty, $"{failures.Count} answers broke the rule");
        Assert.That(api.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).Take(10), Is.Empty, "no unhandled failure was logged");
    }

    private static string Judge(HttpResponseMessage response, string body, string path)
    {
        var status = (int)response.StatusCode;
        if (status >= 500) return "a server error";
        if (status < 400) return "";
        var media = response.Content.Headers.ContentType?.MediaType;
        // A path such as /api/x/../../etc/passwd is resolved by the client before it is sent: what leaves /api/ is a
        // page for people (the staff console's 404 page), and people get an HTML page, as members do.
        var sent = response.RequestMessage?.RequestUri?.AbsolutePath ?? path;
        var forPeople = path.StartsWith("/vote/", StringComparison.Ordinal) || path.StartsWith("/unsubscribe/", StringComparison.Ordinal)
                        || !sent.StartsWith("/api/", StringComparison.Ordinal);
        if (media == "text/html" && forPeople)
            return body.Contains("<h1>", StringComparison.Ordinal) ? "" : "an HTML page without a heading";
        if (media != "application/problem+json") return $"a {media ?? "bodiless"} answer, not a problem document";
        try
        {
            var json = JsonNode.Parse(body);
            return json?["title"] is JsonValue t && ((string?)t)?.Length > 0 && (int?)json["status"] == status ? "" : "a problem document without a title or its status";
        }
        catch (System.Text.Json.JsonException)
        {
            return "a problem document that is not JSON";
        }
    }

    /// <summary>A plausible body for a schema: the first of each choice, every property, one item per array.</summary>
    private static JsonNode? Example(JsonNode schema, JsonObject? schemas, int depth)
    {
        if (depth > 8) return null;
        if (schema["$ref"] is JsonValue r) return Example(schemas![((string)r!).Split('/')[^1]]!, schemas, depth + 1);
        if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray choices)
        {
            var picked = choices.FirstOrDefault(c => (string?)c?["type"] != "null") ?? choices[0];
            return picked is null ? null : Example(picked, schemas, depth + 1);
        }
        if (schema["enum"] is JsonArray values) return values.FirstOrDefault(v => v is not null)?.DeepClone();
        var types = schema["type"] switch
        {
            JsonArray a => a.Select(t => (string?)t).ToList(),
            JsonValue v => [(string?)v],
            _ => schema["properties"] is not null ? ["object"] : [],
        };
        if (types.Contains("object") || schema["properties"] is not null)
        {
            var o = new JsonObject();
            foreach (var (name, p) in schema["properties"]?.AsObject() ?? [])
                o[name] = p is null ? null : Example(p, schemas, depth + 1);
            return o;
        }
        if (types.Contains("array")) return schema["items"] is { } items ? new JsonArray(Example(items, schemas, depth + 1)) : new JsonArray();
        if (types.Contains("integer") || types.Contains("number")) return 1;
        if (types.Contains("boolean")) return true;
        if (types.Contains("string"))
            return (string?)schema["format"] switch
            {
                "date-time" => "2026-09-08T09:00:00Z",
                "date" => "2026-09-08",
                "email" => "someone@example.org",
                _ => "x",
            };
        return null;
    }

    /// <summary>The sample with one value at a time (and one level of new members) replaced by something hostile.</summary>
    private static IEnumerable<(string Path, string Json)> Mutations(JsonNode sample)
    {
        var paths = new List<string[]>();
        void Walk(JsonNode? node, string[] path)
        {
            if (path.Length > 0) paths.Add(path);
            if (path.Length >= 4) return;
            if (node is JsonObject o) foreach (var (k, v) in o) Walk(v, [.. path, k]);
            else if (node is JsonArray a && a.Count > 0) Walk(a[0], [.. path, "0"]);
        }
        Walk(sample, []);
        foreach (var path in paths)
        {
            // The hostile text goes in as written (JsonNode cannot hold a lone surrogate): a marker is swapped for it.
            var copy = sample.DeepClone();
            var parent = path[..^1].Aggregate(copy, (n, k) => n is JsonArray a ? a[int.Parse(k, System.Globalization.CultureInfo.InvariantCulture)]! : n[k]!);
            if (parent is JsonArray arr) arr[0] = Marker;
            else parent[path[^1]] = Marker;
            var json = copy.ToJsonString();
            foreach (var hostile in HostileJson)
                yield return (string.Join(".", path) + " = " + hostile[..Math.Min(hostile.Length, 24)], json.Replace("\"" + Marker + "\"", hostile, StringComparison.Ordinal));
        }
    }

    private const string Marker = "__hostile_value__";
}
