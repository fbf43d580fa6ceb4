using System.Runtime.CompilerServices;

namespace ClawEdge.Tests;

/// <summary>
/// Every child the suite starts (the gateway, the openclaw CLI, our node, Xvfb…) inherits a plain-text
/// environment: the tests wait for and parse output lines. A runner that exports FORCE_COLOR makes Node
/// ignore NO_COLOR and colour every line ("[gateway] ready" becomes "\e[36m[gateway]\e[39m …"), which
/// once turned every interop wait into a 90 s timeout.
/// </summary>
internal static class PlainOutput
{
    [ModuleInitializer]
    internal static void Apply()
    {
        foreach (var name in (string[])["FORCE_COLOR", "CLICOLOR_FORCE", "DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"])
            Environment.SetEnvironmentVariable(name, null);
        Environment.SetEnvironmentVariable("NO_COLOR", "1");
    }
}
