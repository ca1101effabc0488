package io.keelkv.engine.aof;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link MappedAppendFileTest}: appends seeded random SETs (the parent regenerates them
 * from the seed) and reports on stdout.
 * <ul>
 *   <li>{@code crash file chunk seed}: append past 1.5 chunks, sync, append on to 2.5 chunks without
 *       syncing, print {@code SYNCED s APPENDED a}, then wait to be killed with SIGKILL.</li>
 *   <li>{@code grow-until-refused file chunk seed}: run under {@code ulimit -f}; append until the file
 *       cannot grow, check that the refused append changed nothing and is refused again, print
 *       {@code REFUSED position message}, close, print {@code CLOSED length}.</li>
 * </ul>
 */
public final class AppendFileChild
{
    private AppendFileChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path path = Path.of(args[1]);
        final long chunk = Long.parseLong(args[2]);
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[3]));
        final MappedAppendFile file = MappedAppendFile.create(path, chunk);
        if ("crash".equals(args[0]))
        {
            long synced = -1;
            while (file.position() < chunk * 5 / 2)
            {
                final byte[] command = AofTestSupport.randomSet(random, 300);
                file.append(new UnsafeBuffer(command), 0, command.length);
                if (synced < 0 && file.position() > chunk * 3 / 2)
                {
                    synced = file.syncUpTo(file.position());
                }
            }
            System.out.println("SYNCED " + synced + " APPENDED " + file.appendedPosition());
            System.out.flush();
            Thread.sleep(60_000);
            System.exit(3); // never reached unless the parent forgot to kill
        }
        else if ("grow-until-refused".equals(args[0]))
        {
            while (true)
            {
                final byte[] command = AofTestSupport.randomSet(random, 300);
                final long before = file.position();
                try
                {
                    file.append(new UnsafeBuffer(command), 0, command.length);
                }
                catch (final AppendFileException ex)
                {
                    if (file.position() != before || file.appendedPosition() != before)
                    {
                        throw new AssertionError("a refused append moved the position: " + before + " -> " + file.position());
                    }
                    try
                    {
                        file.append(new UnsafeBuffer(command), 0, command.length);
                        throw new AssertionError("the retry succeeded past the file size limit");
                    }
                    catch (final AppendFileException again)
                    {
                        // refused again, as it must be while the limit holds
                    }
                    file.syncUpTo(before);
                    System.out.println("REFUSED " + before + " " + ex.getMessage().replace('\n', ' '));
                    file.close();
                    System.out.println("CLOSED " + path.toFile().length());
                    System.out.flush();
                    return;
                }
            }
        }
        else
        {
            throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
