using Ballot.Api.StaffConsole;
using Ballot.Core.Leaflets;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ballot.Api.Pages.Leaflets;

/// <summary>A bulk job's progress (the page refreshes itself while the worker renders) and, when done, its zip.</summary>
[Authorize(Policy = ConsolePolicies.Register)]
public sealed class JobModel(IMediator mediator) : ConsolePageModel
{
    public BulkJobView Job { get; private set; } = null!;
    public CampaignView Campaign { get; private set; } = null!;

    public async Task OnGetAsync(long id, long jobId)
    {
        Job = await mediator.Send(new GetBulkJob.Query(id, jobId), HttpContext.RequestAborted);
        Campaign = await mediator.Send(new GetCampaign.Query(id), HttpContext.RequestAborted);
    }

    /// <summary>Progress as JSON for the page's script: status, done, total, percent.</summary>
    public async Task<IActionResult> OnGetProgressAsync(long id, long jobId)
    {
        var job = await mediator.Send(new GetBulkJob.Query(id, jobId), HttpContext.RequestAborted);
        return new JsonResult(new { job.Status, job.Done, job.Total, job.Percent, job.Error });
    }

    public async Task<IActionResult> OnGetZipAsync(long id, long jobId)
    {
        var zip = await mediator.Send(new GetBulkZip.Query(id, jobId), HttpContext.RequestAborted);
        return PhysicalFile(zip.Path, "application/zip", zip.FileName);
    }
}
