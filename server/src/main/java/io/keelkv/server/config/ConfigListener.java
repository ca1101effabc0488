package io.keelkv.server.config;

/**
 * Reacts to a runtime change of one or more directives (CONFIG SET), like the apply functions of Redis's
 * config.c: it runs after every directive of the CONFIG SET has been validated and stored, once per
 * command even when it listens to several of the changed directives, and only when a value really changed.
 *
 * <p>A listener that cannot apply the new value (a port that cannot be bound) throws
 * {@link ConfigException} whose message is the reason, e.g. {@code "Unable to listen on this port. Check
 * server logs."}: every directive of the command is then restored, the listeners that already ran are run
 * again with the restored values, and the client gets {@code ERR CONFIG SET failed (possibly related to
 * argument 'port') - <reason>}.
 */
@FunctionalInterface
public interface ConfigListener
{
    void onChange(ServerConfig config) throws ConfigException;
}
