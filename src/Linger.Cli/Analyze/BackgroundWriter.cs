using System.Threading.Channels;
using Linger.Flows;

namespace Linger.Cli.Analyze;

/// <summary>
/// Runs a writer on its own thread, so formatting output overlaps with reading and tracking (the machine's second
/// core does the formatting). Conversations travel in batches through a bounded channel: memory stays bounded,
/// and a slow consumer slows the reader rather than piling up work.
/// </summary>
internal sealed class BackgroundWriter : IConversationWriter, IDisposable
{
    private const int BatchSize = 1024;
    private readonly IConversationWriter _inner;
    private readonly Channel<ConversationSummary[]> _channel = Channel.CreateBounded<ConversationSummary[]>(
        new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Thread _thread;
    private readonly bool _parallel;
    private ConversationSummary[] _batch = new ConversationSummary[BatchSize];
    private int _count;
    private Exception? _failure;

    /// <param name="inner">The format.</param>
    /// <param name="parallel">Whether batches that wait may be formatted on a second thread (<see cref="IRowsInParallel"/>).</param>
    public BackgroundWriter(IConversationWriter inner, bool parallel = true)
    {
        _inner = inner;
        _parallel = parallel;
        _thread = new Thread(Drain) { IsBackground = true, Name = "linger output" };
    }

    /// <summary>Batches a twin formatted (for tests).</summary>
    internal int BatchesFormattedByTwin { get; private set; }

    public void Begin(DateTimeOffset opened)
    {
        _inner.Begin(opened);
        _thread.Start();
    }

    public void Write(ConversationSummary conversation)
    {
        _batch[_count++] = conversation;
        if (_count == BatchSize)
        {
            Send();
        }
    }

    public void End(DateTimeOffset closed)
    {
        Send();
        _channel.Writer.TryComplete();
        _thread.Join();
        if (_failure is not null)
        {
            throw new IOException($"writing the output failed: {_failure.Message}", _failure);
        }

        _inner.End(closed);
    }

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(10));
        }
    }

    private static void Format(IRowsInParallel twin, ConversationSummary[] batch)
    {
        foreach (var c in batch)
        {
            twin.FormatRow(c);
        }

        twin.HandOver();
    }

    private void Write(ConversationSummary[] batch)
    {
        foreach (var c in batch)
        {
            _inner.Write(c);
        }
    }

    private void Send()
    {
        if (_count == 0)
        {
            return;
        }

        var full = _count == BatchSize ? _batch : _batch[.._count];
        while (!_channel.Writer.TryWrite(full))
        {
            if (_failure is not null || !_channel.Writer.WaitToWriteAsync().AsTask().GetAwaiter().GetResult())
            {
                throw new IOException($"writing the output failed: {_failure?.Message}", _failure);
            }
        }

        _batch = new ConversationSummary[BatchSize];
        _count = 0;
    }

    private void Drain()
    {
        try
        {
            // When batches wait (the writer fell behind: at the end of a file the conversations still open all end at
            // once), a twin formats the next one on a pool thread while this thread formats the one before it.
            using var formatted = new MemoryStream();
            var twin = _parallel ? (_inner as IRowsInParallel)?.CreateTwin(formatted) : null;
            var reader = _channel.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var batch))
                {
                    if (twin is not null && reader.TryRead(out var next))
                    {
                        var job = Task.Run(() => Format(twin, next));
                        BatchesFormattedByTwin++;
                        Write(batch);
                        job.GetAwaiter().GetResult();
                        ((IRowsInParallel)_inner).WriteFormatted(next, formatted.GetBuffer().AsSpan(0, (int)formatted.Length));
                        formatted.SetLength(0);
                    }
                    else
                    {
                        Write(batch);
                    }
                }
            }
        }
#pragma warning disable CA1031 // Reported on the reading thread by End or the next Write.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failure = ex;
            _channel.Writer.TryComplete(ex);
        }
    }
}
