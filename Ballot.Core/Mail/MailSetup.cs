using Ballot.Core.Mail.Sending;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ballot.Core.Mail;

public static class MailSetup
{
    /// <summary>Mail options (validated at start-up), rendering, and the sending machinery the worker uses.</summary>
    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MailOptions>().Bind(builder.Configuration.GetSection(MailOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().Bind(builder.Configuration.GetSection(SmtpOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MailOptions>, ValidateMailOptions>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOptions>, ValidateMailOptions>());
        services.AddSingleton<MailKeys>();
        services.AddSingleton<LetterComposer>();
        services.AddSingleton<MailThrottle>();
        services.AddSingleton<MailDispatch>();
        services.AddSingleton<MailingLease>();
        services.AddSingleton<SendRecovery>();
        services.AddSingleton<RecipientBatches>();
        services.AddSingleton<MailingSender>();
        services.AddSingleton<PickupSweep>();
        return builder;
    }
}
