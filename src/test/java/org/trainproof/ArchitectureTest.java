package org.trainproof;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Keeps the dependency rules of STYLE.md true by reading import lines of the main sources. */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src", "main", "java", "org", "trainproof");

    private record Rule(String importPrefix, String allowedPackageDir, String why) {}

    private static final List<Rule> RULES = List.of(
            new Rule("import java.sql", "ledger/sqlite", "only ledger/sqlite talks JDBC"),
            new Rule("import org.sqlite", "ledger/sqlite", "only ledger/sqlite talks JDBC"),
            new Rule("import org.bouncycastle", "crypto", "only crypto imports BouncyCastle"),
            new Rule("import org.trainproof.cli", "cli", "nothing imports cli"));

    @Test
    void imports_followLayering() throws IOException {
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(MAIN)) {
            for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".java"))::iterator) {
                files++;
                String rel = MAIN.relativize(p.getParent()).toString().replace('\\', '/');
                for (String line : Files.readAllLines(p)) {
                    String l = line.strip();
                    if (!l.startsWith("import ")) continue;
                    for (Rule r : RULES) {
                        if (l.startsWith(r.importPrefix) && !rel.startsWith(r.allowedPackageDir)) {
                            violations.add(p + ": " + l + " (" + r.why + ")");
                        }
                    }
                    if (rel.startsWith("analysis/stats") && l.startsWith("import ")
                            && !(l.startsWith("import java.") || l.startsWith("import static java.")
                                    || l.startsWith("import org.trainproof.analysis.stats"))) {
                        violations.add(p + ": " + l + " (analysis/stats imports nothing but the JDK)");
                    }
                }
            }
        }
        assertTrue(files > 0, "read no source files");
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }
}
