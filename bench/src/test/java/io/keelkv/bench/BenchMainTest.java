package io.keelkv.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchMainTest
{
    @Test
    void shouldCarryTheBuildsJvmFlagsIntoTheBenchmarkJar() throws Exception
    {
        final List<String> flags = BenchMain.jvmFlags();
        assertTrue(flags.contains("java.base/jdk.internal.misc=ALL-UNNAMED"), flags.toString());
        assertTrue(flags.contains("-Dchronicle.analytics.disable=true"), flags.toString());
    }
}
