package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link ManifestBenchmark#compilerCpuNanos}: the JIT compiler's share that {@code bench} prints. */
class ManifestBenchmarkTest {
    @Test
    void compilerThreadTimeIsReadAndBelowTheProcessTime() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "no /proc/self/task here (not Linux)");
        long jit = ManifestBenchmark.compilerCpuNanos();
        long process = ManifestBenchmark.processCpuNanos();
        // by the time a test runs, C1 and C2 have compiled hundreds of methods (JUnit, the JDK)
        assertTrue(jit > 0, "compiler threads' CPU time: " + jit);
        assertTrue(process < 0 || jit <= process, "compiler " + jit + " ns > process " + process + " ns");
    }
}
