package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The JDK 25 edition of the kernel's loads (src/main/java25, META-INF/versions/25 of the jar) runs the
 * vector kernel on JDK 25, bit-identical to the scalar loops, with the same results as this JVM's
 * kernel: {@link FloatChunksTest#parity} in a JDK 25 child whose class path puts versions/25 first, as
 * the multi-release jar does. Skips, saying why, where JDK 25 or the compiled edition is absent.
 */
class Jdk25KernelTest {
    /** Entry point of the child JVM: prints the kernel, then the parity result (AssertionError: exit 1). */
    public static void main(String[] args) {
        System.out.println("kernel: " + FloatChunks.describeKernel());
        FloatChunksTest.Parity p = FloatChunksTest.parity();
        System.out.println("cases: " + p.cases());
        System.out.println("digest: " + p.digest());
    }

    @Test
    void jdk25EditionRunsTheVectorKernelWithTheSameResults() throws Exception {
        Path jdk = Path.of(System.getProperty("trainproof.jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        Path java = jdk.resolve("bin/java");
        Assumptions.assumeTrue(Files.isExecutable(java), () -> skip("no JDK 25 at " + jdk + " (set -Djdk25.home)"));
        Path classes = Path.of(VectorLoads.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path edition = classes.resolve("META-INF/versions/25");
        Assumptions.assumeTrue(Files.isRegularFile(edition.resolve("org/trainproof/checkpoint/VectorLoads.class")),
                () -> skip("the JDK 25 edition was not compiled (profile java25-kernel inactive): no " + edition));
        Assumptions.assumeTrue(FloatChunks.vector() != null, () -> skip("no vector kernel in this JVM either: " + FloatChunks.describeKernel()));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = Files.createTempFile("jdk25-kernel", ".txt");
        try {
            Process proc = new ProcessBuilder(List.of(java.toString(), "-Xmx1g", "--add-modules", "jdk.incubator.vector",
                    "-cp", edition + File.pathSeparator + cp, Jdk25KernelTest.class.getName()))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertTrue(proc.waitFor(5, TimeUnit.MINUTES), "JDK 25 child still running after 5 minutes");
            String got = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, proc.exitValue(), got);
            assertTrue(got.contains("kernel: vector (") && got.contains("JDK 25 edition"), "the JDK 25 child did not run the JDK 25 edition:\n" + got);
            FloatChunksTest.Parity here = FloatChunksTest.parity();
            assertTrue(got.contains("cases: " + here.cases() + "\n"), got);
            assertTrue(got.contains("digest: " + here.digest() + "\n"), "JDK 25 results differ from this JVM's (" + here.digest() + "):\n" + got);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String skip(String why) {
        System.out.println("Jdk25KernelTest skipped: " + why);
        return why;
    }
}
