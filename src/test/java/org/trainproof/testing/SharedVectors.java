package org.trainproof.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.trainproof.bytes.Hex;

/** Loads the shared golden vectors (../shared/vectors/merkle); skips when the folder is absent. */
public final class SharedVectors {
    public static final Path DIR = Path.of("..", "shared", "vectors", "merkle");

    private SharedVectors() {}

    public static JsonNode load(String file) {
        Path p = DIR.resolve(file);
        assumeTrue(Files.isRegularFile(p), "shared vectors not present: " + p);
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + p, e);
        }
    }

    public static byte[] hex(JsonNode n) {
        return Hex.decode(n.asText());
    }

    public static List<byte[]> hexList(JsonNode arr) {
        List<byte[]> out = new ArrayList<>();
        for (JsonNode n : arr) out.add(Hex.decode(n.asText()));
        return out;
    }

    /** Collects failures across a loop; fails if nothing was checked or anything failed. */
    public static final class Collector {
        private final String what;
        private final List<String> failures = new ArrayList<>();
        private int cases;

        public Collector(String what) {
            this.what = what;
        }

        public void check(boolean ok, String description) {
            cases++;
            if (!ok) failures.add(description);
        }

        public void fail(String description) {
            cases++;
            failures.add(description);
        }

        public void pass() {
            cases++;
        }

        public int cases() {
            return cases;
        }

        public void assertAll(int minCases) {
            Assertions.assertTrue(cases >= minCases, what + ": read " + cases + " cases, expected at least " + minCases);
            Assertions.assertTrue(failures.isEmpty(), what + ": " + failures.size() + " of " + cases + " failed:\n  "
                    + String.join("\n  ", failures.subList(0, Math.min(30, failures.size()))));
        }
    }
}
