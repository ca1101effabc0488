package io.keelkv.engine.command;

import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespConstants;
import io.keelkv.engine.snapshot.SnapshotControl;
import io.keelkv.engine.snapshot.SnapshotException;

import static io.keelkv.engine.command.KeyCommands.option;
import static io.keelkv.engine.command.RewrittenArgs.literal;

/**
 * SAVE, BGSAVE [SCHEDULE] and LASTSAVE over the {@link SnapshotControl}, with Redis 7.0's replies. A failed
 * save answers Redis's bare "-ERR"; the reason goes to the snapshot listener (the server's log), as rdbSave
 * logs it.
 */
final class PersistenceCommands
{
    private static final byte[] SCHEDULE = literal("schedule");
    /** shared.err: what Redis's SAVE and BGSAVE answer when the save fails (the reason is in the log). */
    static final byte[] BARE_ERR = RespConstants.bytes("-ERR\r\n");
    private static final byte[] IN_PROGRESS = RespConstants.bytes("-ERR Background save already in progress\r\n");
    private static final byte[] STARTED = RespConstants.bytes("+Background saving started\r\n");
    private static final byte[] SCHEDULED = RespConstants.bytes("+Background saving scheduled\r\n");

    private final SnapshotControl snapshots;

    private PersistenceCommands(final SnapshotControl snapshots)
    {
        this.snapshots = snapshots;
    }

    static void bind(final SnapshotControl snapshots, final CommandTable table)
    {
        final PersistenceCommands c = new PersistenceCommands(snapshots);
        table.bind("save", c::save);
        table.bind("bgsave", c::bgsave);
        table.bind("lastsave", ctx -> ctx.out().integer(snapshots.lastSaveTimeSec()));
    }

    /** saveCommand: refused while a background save runs; counted in rdb_saves whether it succeeds or not. */
    private void save(final CommandContext ctx)
    {
        if (snapshots.backgroundSaveRunning())
        {
            ctx.out().raw(IN_PROGRESS);
            return;
        }
        snapshots.countSave();
        try
        {
            snapshots.save();
            ctx.out().ok();
        }
        catch (final SnapshotException ex)
        {
            ctx.out().raw(BARE_ERR);
        }
    }

    /** bgsaveCommand: SCHEDULE is the only option; one background save at a time. */
    private void bgsave(final CommandContext ctx)
    {
        final Args args = ctx.args();
        boolean schedule = false;
        if (args.count() > 1)
        {
            if (args.count() == 2 && option(args, 1, SCHEDULE))
            {
                schedule = true;
            }
            else
            {
                ctx.out().raw(RespConstants.SYNTAX_ERROR);
                return;
            }
        }
        switch (snapshots.startBackgroundSave(schedule))
        {
            case STARTED:
                ctx.out().raw(STARTED);
                break;
            case SCHEDULED:
                ctx.out().raw(SCHEDULED);
                break;
            case ALREADY_RUNNING:
                if (snapshots.backgroundBaseRunning())
                {
                    ctx.out().error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE " +
                        "SCHEDULE in order to schedule a BGSAVE whenever possible.");
                }
                else
                {
                    ctx.out().raw(IN_PROGRESS);
                }
                break;
            default:
                ctx.out().raw(BARE_ERR);
                break;
        }
    }
}
