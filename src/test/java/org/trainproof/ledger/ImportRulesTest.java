package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** STYLE.md layout rules, read from import lines: JDBC only in ledger/sqlite, BouncyCastle only in crypto, nothing imports cli. */
class ImportRulesTest {
    @Test
    void mainSources_respectPackageDependencyRules() throws IOException {
        Path root = Path.of("src", "main", "java", "org", "trainproof");
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                String pkg = root.relativize(f.getParent()).toString().replace('\\', '/');
                for (String line : Files.readAllLines(f)) {
                    if (!line.startsWith("import ")) continue;
                    if ((line.contains(" java.sql.") || line.contains(" org.sqlite.")) && !pkg.equals("ledger/sqlite")) {
                        violations.add(f + ": " + line);
                    }
                    if (line.contains(" org.bouncycastle.") && !pkg.equals("crypto")) violations.add(f + ": " + line);
                    if (line.contains(" org.trainproof.cli.") && !pkg.equals("cli")) violations.add(f + ": " + line);
                }
            }
        }
        assertTrue(files > 20, "read " + files + " files");
        assertEquals(List.of(), violations);
    }
}
