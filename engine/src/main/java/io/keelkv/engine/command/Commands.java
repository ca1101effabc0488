package io.keelkv.engine.command;

import io.keelkv.engine.keyspace.Eviction;
import io.keelkv.engine.keyspace.Keyspace;
import io.keelkv.engine.snapshot.SnapshotControl;

/**
 * Binds the engine's command families to the table. One class per family (Garnet's BasicCommands /
 * KeyAdminCommands split); the server binds its own (connection, CLIENT, CONFIG, INFO, SHUTDOWN).
 */
public final class Commands
{
    private Commands()
    {
    }

    public static void bindAll(final CommandTable table, final Keyspace keyspace, final Eviction eviction,
        final SnapshotControl snapshots)
    {
        StringCommands.bind(keyspace, table);
        KeyCommands.bind(keyspace, table);
        HashCommands.bind(keyspace, table);
        SetCommands.bind(keyspace, table);
        ListCommands.bind(keyspace, table);
        ZsetCommands.bind(keyspace, table);
        SortCommand.bind(keyspace, table);
        ServerCommands.bind(keyspace, eviction, snapshots, table);
        PersistenceCommands.bind(snapshots, table);
        DebugCommands.bind(keyspace, snapshots, table);
    }
}
