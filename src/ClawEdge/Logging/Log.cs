namespace ClawEdge.Logging;

/// <summary>
/// Line logger to stderr. Under systemd (JOURNAL_STREAM set) each line carries a syslog priority
/// prefix (<c>&lt;6&gt;</c>) so the journal files it at the right level; on a terminal it is plain text.
/// Nothing that reaches here may contain a secret: callers log ids and paths, never tokens.
/// </summary>
public static class Log
{
    private static readonly bool Journal = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 };
    private static readonly Lock Gate = new();

    public static LogLevel Level { get; set; } = LogLevel.Info;

    public static void Error(string message) => Write(LogLevel.Error, message);
    public static void Warn(string message) => Write(LogLevel.Warn, message);
    public static void Info(string message) => Write(LogLevel.Info, message);
    public static void Debug(string message) => Write(LogLevel.Debug, message);

    public static void Write(LogLevel level, string message)
    {
        if (level > Level)
            return;
        string line = Journal
            ? $"<{(int)level}>{message}"
            : $"{DateTime.Now:HH:mm:ss.fff} {Tag(level)} {message}";
        lock (Gate)
            Console.Error.WriteLine(line);
    }

    private static string Tag(LogLevel level) => level switch
    {
        LogLevel.Error => "ERR",
        LogLevel.Warn => "WRN",
        LogLevel.Notice => "NTC",
        LogLevel.Info => "INF",
        _ => "DBG",
    };
}

/// <summary>Syslog priorities, so the numeric value is the journal prefix.</summary>
public enum LogLevel
{
    Error = 3,
    Warn = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}
