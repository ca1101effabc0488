package io.keelkv.engine.command;

import io.keelkv.engine.resp.Args;
import io.keelkv.engine.resp.RespWriter;

import java.nio.charset.StandardCharsets;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis's multi.c). The dispatcher queues a transaction's
 * commands (after the checks Redis runs at queue time) into the client's {@link MultiState}; EXEC runs them
 * here through the dispatcher's call path without its checks, as execCommand runs call(): one reply array,
 * the time fixed at EXEC, no blocking (a blocking pop answers as if timed out), no blocked client served until
 * the last command ran, and the writes logged inside MULTI ... EXEC when there may be more than one, so that
 * the AOF replays them together or, cut by a crash, not at all.
 *
 * <p>The AOF replay client has no transaction state (MULTI and WATCH refuse it): the AOF loader never hands
 * MULTI or EXEC on, it checks them itself.
 */
final class Transactions
{
    private static final byte[] EXECABORT =
        "-EXECABORT Transaction discarded because of previous errors.\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Dispatcher dispatcher;
    private final Watches watches;
    private final Args queued = new Args();

    private Transactions(final Dispatcher dispatcher)
    {
        this.dispatcher = dispatcher;
        this.watches = dispatcher.watches();
    }

    static void bind(final CommandTable table, final Dispatcher dispatcher)
    {
        final Transactions t = new Transactions(dispatcher);
        table.bind("multi", t::multi);
        table.bind("exec", t::exec);
        table.bind("discard", t::discard);
        table.bind("watch", t::watch);
        table.bind("unwatch", t::unwatch);
    }

    private void multi(final CommandContext ctx)
    {
        final MultiState tx = ctx.client().openMultiState();
        if (tx == null)
        {
            ctx.out().error("ERR MULTI is not available to this client");
            return;
        }
        if (tx.active)
        {
            ctx.out().error("ERR MULTI calls can not be nested");
            return;
        }
        tx.begin();
        ctx.out().ok();
    }

    private void exec(final CommandContext ctx)
    {
        final ClientContext client = ctx.client();
        final RespWriter out = ctx.out();
        final MultiState tx = client.multiState();
        if (tx == null || !tx.active)
        {
            dispatcher.execFailed();
            out.error("ERR EXEC without MULTI");
            return;
        }
        if (watches.anyExpiredSinceWatch(tx))
        {
            tx.dirtyCas = true;
        }
        if (tx.dirtyExec || tx.dirtyCas)
        {
            if (tx.dirtyExec)
            {
                dispatcher.execFailed();
                out.raw(EXECABORT);
            }
            else
            {
                out.nullArray();
            }
            end(tx);
            return;
        }
        watches.unwatchAll(tx); // as early as Redis does: the transaction's own writes touch no one's watch of ours
        tx.executing = true;
        final int count = tx.queuedCount();
        out.arrayHeader(count);
        dispatcher.beginExec(tx.queuedWrites > 1);
        try
        {
            while (tx.next(queued))
            {
                final CommandSpec spec = dispatcher.specOf(queued);
                if (spec == null)
                {
                    // queued because it resolved; the table does not change at run time, so this is a bug
                    out.error("ERR internal error: a queued command no longer resolves");
                    continue;
                }
                dispatcher.invoke(spec, queued, out, client);
            }
        }
        finally
        {
            dispatcher.endExec(client);
            tx.end();
        }
    }

    private void discard(final CommandContext ctx)
    {
        final MultiState tx = ctx.client().multiState();
        if (tx == null || !tx.active)
        {
            ctx.out().error("ERR DISCARD without MULTI");
            return;
        }
        end(tx);
        ctx.out().ok();
    }

    private void watch(final CommandContext ctx)
    {
        final ClientContext client = ctx.client();
        final MultiState tx = client.openMultiState();
        if (tx == null)
        {
            ctx.out().error("ERR WATCH is not available to this client");
            return;
        }
        if (tx.active)
        {
            ctx.out().error("ERR WATCH inside MULTI is not allowed");
            return;
        }
        if (tx.dirtyCas)
        {
            ctx.out().ok(); // no point in watching more: the next EXEC fails anyway
            return;
        }
        final Args args = ctx.args();
        for (int i = 1; i < args.count(); i++)
        {
            if (!watches.watch(tx, client.db(), args.array(), args.address(i), args.length(i)))
            {
                ctx.out().error("ERR too many watched keys: the server's watches passed " +
                    (Watches.MAX_WATCHED_BYTES >> 20) + " MB together; UNWATCH or EXEC releases them");
                return;
            }
        }
        ctx.out().ok();
    }

    private void unwatch(final CommandContext ctx)
    {
        final MultiState tx = ctx.client().multiState();
        if (tx != null)
        {
            watches.unwatchAll(tx);
        }
        ctx.out().ok();
    }

    /** Redis's discardTransaction: the queue, the flags and the watches go. */
    void end(final MultiState tx)
    {
        watches.unwatchAll(tx);
        tx.end();
    }
}
