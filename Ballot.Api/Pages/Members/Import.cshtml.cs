using Ballot.Api.Auth;
using Ballot.Api.StaffConsole;
using Ballot.Core.Common;
using Ballot.Core.Members;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Members;

/// <summary>Upload the register as CSV (multipart), the same ImportMembers request as POST /api/members/import.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
[RequestSizeLimit(MaxBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxBytes)]
public sealed class ImportModel(IMediator mediator) : ConsolePageModel
{
    /// <summary>As the API: a 450,000-member register is about 40 MB of CSV; allow ten times that.</summary>
    private const long MaxBytes = 512L * 1024 * 1024;

    [BindProperty(Name = "file")] public IFormFile? Upload { get; set; }

    public string? FileName { get; private set; }
    public IReadOnlyList<InputProblem> Problems { get; private set; } = [];
    public ImportMembers.Result? Result { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError("file", "Choose the CSV file to upload.");
            return Page();
        }
        FileName = Upload.FileName;
        // Buffered to a temporary file first, as the API does, so a slow upload never holds the register's write lock.
        await using var buffer = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await Upload.CopyToAsync(buffer, HttpContext.RequestAborted);
        buffer.Position = 0;
        try
        {
            Result = await mediator.Send(new ImportMembers.Command(buffer, User.Staff()), HttpContext.RequestAborted);
        }
        catch (InputRejected r)
        {
            ModelState.AddModelError("file", r.Message);
            Problems = r.Problems;
            return Page();
        }
        Tell($"The register is updated from {FileName}: {Result.Created:N0} created, {Result.Updated:N0} updated, {Result.Unchanged:N0} unchanged.");
        return RedirectToPage();
    }
}
