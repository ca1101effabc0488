package io.keelkv.engine.aof;

import io.keelkv.engine.command.CommandContext;
import io.keelkv.engine.command.CommandTable;

/**
 * The AOF's commands, bound here so that the command package knows nothing of the AOF (the AOF depends on
 * the commands it logs, not the other way round). BGREWRITEAOF, with Redis 7.0's replies.
 */
public final class AofCommands
{
    private final AofControl aof;

    private AofCommands(final AofControl aof)
    {
        this.aof = aof;
    }

    public static void bind(final CommandTable table, final AofControl aof)
    {
        final AofCommands c = new AofCommands(aof);
        table.bind("bgrewriteaof", c::bgrewriteaof);
    }

    /** bgrewriteaofCommand: one rewrite at a time; scheduled while another background snapshot runs. */
    private void bgrewriteaof(final CommandContext ctx)
    {
        final AofRewrite rewrite = aof.rewriteForCommand();
        if (rewrite == null)
        {
            ctx.out().error("ERR no AOF directory is configured");
            return;
        }
        switch (rewrite.start())
        {
            case STARTED:
                ctx.out().simpleString("Background append only file rewriting started");
                break;
            case SCHEDULED:
                ctx.out().simpleString("Background append only file rewriting scheduled");
                break;
            case ALREADY_RUNNING:
                ctx.out().error("ERR Background append only file rewriting already in progress");
                break;
            default:
                ctx.out().error("ERR Can't execute an AOF background rewriting. Please check the server logs for " +
                    "more information.");
                break;
        }
    }
}
