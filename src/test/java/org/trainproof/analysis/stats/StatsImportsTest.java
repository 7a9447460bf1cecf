package org.trainproof.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** STYLE.md layout rule: analysis/stats imports nothing but the JDK. */
class StatsImportsTest {
    @Test
    void statsPackage_importsOnlyJdk() throws Exception {
        Path dir = Path.of("src", "main", "java", "org", "trainproof", "analysis", "stats");
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(files.size() >= 5, "read " + files.size() + " files");
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                if (line.startsWith("import ")) {
                    assertTrue(line.matches("import (static )?java\\..*"), f.getFileName() + ": " + line);
                }
            }
        }
    }
}
