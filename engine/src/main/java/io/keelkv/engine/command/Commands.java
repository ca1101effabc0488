package io.keelkv.engine.command;

import io.keelkv.engine.KeelEngine;

/**
 * Binds the engine's command families to the table. One class per family (Garnet's BasicCommands /
 * KeyAdminCommands split); the server binds its own (connection, CLIENT, CONFIG, INFO, SHUTDOWN).
 */
public final class Commands
{
    private Commands()
    {
    }

    public static void bindAll(final KeelEngine engine, final CommandTable table)
    {
        StringCommands.bind(engine, table);
        KeyCommands.bind(engine, table);
        ServerCommands.bind(engine, table);
    }
}
