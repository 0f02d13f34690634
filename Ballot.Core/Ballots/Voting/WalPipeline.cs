using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.InteropServices;
using Ballot.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Ballot.Core.Ballots.Voting;

/// <summary>
/// SQLite only: the disk waits of the vote writer, taken off its thread (docs/decisions/0213-vote-wal-pipeline.md).
/// The writer commits with <c>synchronous = NORMAL</c>, which writes the batch to the WAL without waiting for the disk,
/// and hands the batch here. <b>Sync</b>: a thread of its own syncs the WAL (fdatasync) and only then answers the votes
/// of every batch committed before that sync began, while the writer already runs the next batch. <b>Checkpoint</b>: a
/// second thread, on a connection of its own, copies the WAL into the database file beside the writer and syncs that
/// file. After every fourth such copy the writer copies what arrived meanwhile (a short catch-up, between batches), so
/// that its next commit starts the WAL again from the beginning. A failed sync of the WAL stops the process.
/// </summary>
internal sealed class WalPipeline : IDisposable
{
    private readonly string _walFile;
    private readonly string _databaseFile;
    private readonly SafeFileHandle _wal, _database;
    private readonly BlockingCollection<(PendingVote[] Votes, VoteResult[] Results)> _toSync = new();
    private readonly Thread _syncer, _checkpointer;
    private readonly SemaphoreSlim _checkpointDue = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Db _db;
    private readonly ILogger _log;
    private volatile bool _checkpointing, _catchUpDue;
    private int _copies;
    private const int CopiesPerRestart = 4;

    public WalPipeline(Db db, string databaseFile, ILogger log)
    {
        _db = db;
        _log = log;
        _walFile = databaseFile + "-wal";
        // The writer's connection keeps the WAL file open (SQLite deletes it only when the last connection closes), so
        // this descriptor is of the same file for as long as the writer's session lives. fdatasync on any descriptor
        // of a file makes all of that file's written pages durable, with the metadata needed to read them (its size)
        // but not its times, which fsync would write as well.
        _wal = File.OpenHandle(_walFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _databaseFile = databaseFile;
        try
        {
            _database = File.OpenHandle(databaseFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch
        {
            _wal.Dispose();
            throw;
        }
        _syncer = new Thread(Sync) { IsBackground = true, Name = "Vote WAL sync" };
        _checkpointer = new Thread(Checkpoint) { IsBackground = true, Name = "Vote WAL checkpoint" };
        _syncer.Start();
        _checkpointer.Start();
    }

    /// <summary>Answers these votes once the WAL holding them is on disk. The votes array is the pipeline's own.</summary>
    public void Acknowledge(PendingVote[] votes, VoteResult[] results) => _toSync.Add((votes, results));

    /// <summary>Starts a checkpoint beside the writer unless one is running; false if one is.</summary>
    public bool StartCheckpoint()
    {
        if (_checkpointing) return false;
        _checkpointing = true;
        _checkpointDue.Release();
        return true;
    }

    /// <summary>
    /// Between batches: once the copy beside the writer that ends a round is done, copies the frames written meanwhile,
    /// on the writer's connection, so that every frame is in the database file and the next commit restarts the WAL.
    /// </summary>
    public void CatchUpIfDue(DbConnection writer)
    {
        if (!_catchUpDue) return;
        _catchUpDue = false;
        try
        {
            using var cmd = writer.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            cmd.ExecuteNonQuery();
        }
        finally
        {
            _checkpointing = false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(SafeFileHandle fd);

    /// <summary>fdatasync on Linux; elsewhere .NET's own flush to disk (fsync or its equivalent).</summary>
    private static void SyncData(SafeFileHandle file, string name)
    {
        if (!OperatingSystem.IsLinux()) RandomAccess.FlushToDisk(file);
        else if (fdatasync(file) != 0) throw new IOException($"fdatasync of {name} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private void Sync()
    {
        var group = new List<(PendingVote[] Votes, VoteResult[] Results)>();
        foreach (var first in _toSync.GetConsumingEnumerable())
        {
            group.Clear();
            group.Add(first);
            while (_toSync.TryTake(out var more)) group.Add(more);
            try
            {
                SyncData(_wal, _walFile);
            }
            catch (Exception ex)
            {
                // The batches are committed, and visible, but maybe not on disk; after a failed sync the kernel may
                // report later ones as successful for pages it lost. Neither answering nor refusing these votes would
                // be true, so the process stops, as PostgreSQL does, and SQLite's recovery at the next start keeps
                // exactly what reached the disk. No vote was answered that is not on disk.
                _log.LogCritical(ex, "Syncing the WAL failed; stopping the process so that no vote is answered that is not on disk");
                Environment.FailFast("Syncing the SQLite WAL of the vote writer failed.", ex);
            }
            foreach (var (votes, results) in group)
                for (var i = 0; i < votes.Length; i++) votes[i].Answer(results[i]);
        }
    }

    private void Checkpoint()
    {
        SqliteConnection? conn = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _checkpointDue.Wait(_stop.Token);
                conn ??= (SqliteConnection)_db.OpenOwnAsync().GetAwaiter().GetResult();
                using (var cmd = conn.CreateCommand())
                {
                    // The WAL is synced before frames are copied.
                    cmd.CommandText = "PRAGMA cache_size = -512; PRAGMA wal_checkpoint(PASSIVE)";
                    cmd.ExecuteNonQuery();
                }
                // Only every few copies does the writer pause to catch up and restart the WAL; in between, the WAL
                // grows and page lookups skip the frames already copied.
                if (++_copies % CopiesPerRestart == 0)
                {
                    // SQLite syncs the database file only when a copy takes in the whole WAL, which a copy beside the
                    // writer never does. Synced here, once per round (a page copied in several rounds' copies is
                    // written to disk once), the writer's catch-up has only its own pages left to write.
                    SyncData(_database, _databaseFile);
                    _catchUpDue = true;
                }
                else _checkpointing = false;
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex)
            {
                // Votes are durable in the WAL; a failed copy leaves it longer, and the next one retries. A failed
                // sync of the database file is reported to SQLite's own descriptor too, so its next checkpoint fails
                // rather than restart the WAL over pages that are not on disk.
                _log.LogWarning(ex, "Checkpointing the WAL beside the vote writer failed");
                try { conn?.Dispose(); } catch (Exception) { /* the connection is replaced either way */ }
                conn = null;
                _checkpointing = false;
            }
        }
        try { conn?.Dispose(); } catch (Exception) { /* stopping */ }
    }

    /// <summary>Waits for every handed batch to be synced and answered, then stops both threads.</summary>
    public void Dispose()
    {
        _toSync.CompleteAdding();
        _syncer.Join();
        _stop.Cancel();
        _checkpointer.Join();
        _toSync.Dispose();
        _checkpointDue.Dispose();
        _stop.Dispose();
        _wal.Dispose();
        _database.Dispose();
    }
}
