using System.Buffers;
using ClawEdge.Platform.Native;

namespace ClawEdge.Canvas;

/// <summary>
/// DevTools over <c>--remote-debugging-pipe</c>: commands written to the browser's fd 3, replies read from its
/// fd 4, each message ended by a NUL byte. No socket exists, so nothing else on the machine can drive the browser.
/// </summary>
internal sealed class DevToolsPipeConnection : DevToolsConnection
{
    private static readonly byte[] Terminator = [0];
    private readonly SafeFileDescriptor _writeFd;
    private readonly SafeFileDescriptor _readFd;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _disposed;

    public DevToolsPipeConnection(SafeFileDescriptor writeFd, SafeFileDescriptor readFd)
    {
        _writeFd = writeFd;
        _readFd = readFd;
        // A thread of its own: the read blocks for the browser's whole life.
        new Thread(ReadLoop) { IsBackground = true, Name = "canvas-devtools" }.Start();
    }

    protected override async ValueTask WriteAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A pipe write blocks only while the browser's 64 KiB pipe buffer is full, i.e. briefly.
            if (!Libc.WriteAll(_writeFd, message.Span) || !Libc.WriteAll(_writeFd, Terminator))
            {
                OnClosed("the browser stopped reading its DevTools pipe");
                throw new DevToolsException("the browser is gone (DevTools pipe closed)");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void ReadLoop()
    {
        var buffer = new byte[64 * 1024];
        var message = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        while (true)
        {
            int n = Libc.Read(_readFd, buffer);
            if (n <= 0)
            {
                OnClosed(n == 0 ? "the browser closed its DevTools pipe" : "DevTools pipe read failed");
                return;
            }
            var chunk = buffer.AsSpan(0, n);
            while (chunk.Length > 0)
            {
                int end = chunk.IndexOf((byte)0);
                if (end < 0)
                {
                    message.Write(chunk);
                    break;
                }
                if (message.WrittenCount == 0)
                {
                    OnMessage(chunk[..end]);
                }
                else
                {
                    message.Write(chunk[..end]);
                    OnMessage(message.WrittenSpan);
                    message.ResetWrittenCount();
                }
                chunk = chunk[(end + 1)..];
            }
        }
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Closing our write end tells the browser to quit; the read end closes after the reader saw EOF or now.
        _writeFd.Dispose();
        OnClosed("closed by the node");
    }

    /// <summary>The read end is closed once the browser is gone (the handle defers the close past a read still blocked on it).</summary>
    public void CloseReader() => _readFd.Dispose();
}
