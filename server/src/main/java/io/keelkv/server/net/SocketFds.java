package io.keelkv.server.net;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SocketChannel;

/**
 * The operating system's file descriptor number of a socket channel, for CLIENT LIST's {@code fd=} field
 * (people match it against {@code ss -p} and {@code /proc/PID/fd}).
 *
 * <p>The JDK keeps it behind {@code sun.nio.ch.SelChImpl#getFDVal()}; the launcher and the test JVMs export
 * {@code java.base/sun.nio.ch} (Agrona needs it too). Without the export, or on a JDK that changed it, the
 * number is -1, which is only cosmetic. Looked up once; called once per accepted connection.
 */
final class SocketFds
{
    private static final MethodHandle GET_FD_VAL = find();

    private SocketFds()
    {
    }

    private static MethodHandle find()
    {
        try
        {
            final Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl");
            return MethodHandles.lookup().findVirtual(selChImpl, "getFDVal", MethodType.methodType(int.class));
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            return null;
        }
    }

    static int fd(final SocketChannel channel)
    {
        if (GET_FD_VAL == null)
        {
            return -1;
        }
        try
        {
            return (int)GET_FD_VAL.invoke(channel);
        }
        catch (final Throwable ex)
        {
            return -1;
        }
    }
}
