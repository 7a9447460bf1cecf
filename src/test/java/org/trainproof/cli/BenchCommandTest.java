package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} end to end on its smallest file (about 67 MB of BF16, one run): every section is
 * printed, the runs from the disk say how the manifest read the file, and the file is deleted after.
 * Timings are not judged here (docs/performance.md: benchmarks, not timed tests).
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void smallestBench_printsEverySection_andDeletesItsFile() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/time")), "needs GNU time at /usr/bin/time");
        CliRun r = CliRun.run("bench", "--size-gb", "0.06", "--repeat", "1", "--warmup", "0", "--dir", dir, "--reads", "buffered");
        assertEquals(0, r.code(), r.toString());
        String out = r.out();
        assertTrue(Pattern.compile("file: 0\\.0\\d+ GB BF16 safetensors, \\d+ tensors").matcher(out).find(), out);
        assertTrue(out.contains("manifest reads: --reads buffered: 0.0 % of the bytes direct"), out);
        assertTrue(out.contains("target (issue 19) for BF16: <= 0.9 CPU-s per GB:"), out);
        assertTrue(out.contains("per-tensor digests equal the safetensors file's: yes"), out);
        // the runs from the disk: measured where the file could be evicted, else the reason is printed
        Matcher m = Pattern.compile("from the disk \\(file evicted from the page cache before each run\\), median of 1; --reads auto reads this file (buffered|direct)")
                .matcher(out);
        if (m.find()) {
            assertTrue(out.contains("manifest, --reads direct"), out);
            Matcher share = Pattern.compile("manifest, --reads direct .*\\(([0-9.]+) % of the direct runs' bytes read direct\\)").matcher(out);
            assertTrue(share.find(), out);
            // a file system without O_DIRECT reads buffered, and the share says so
            System.out.println("BenchCommandTest: direct share " + share.group(1) + " %, auto reads " + m.group(1));
        } else {
            assertTrue(out.contains("from the disk (file evicted from the page cache): not measured: "), out);
        }
        try (var s = Files.list(dir)) {
            assertFalse(s.findAny().isPresent(), "bench deletes its files without --keep");
        }
    }
}
