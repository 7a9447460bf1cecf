package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The RFC 8785 test vectors of the reference repository (src/test/resources/rfc8785/SOURCE.md), byte for byte. */
class Rfc8785VectorsTest {
    @ParameterizedTest
    @ValueSource(strings = {"arrays", "french", "structures", "unicode", "values", "weird"})
    void canonicalFormMatchesTheVector(String name) throws IOException {
        byte[] input = resource("input/" + name + ".json");
        byte[] want = resource("output/" + name + ".json");
        byte[] got = CanonicalJson.canonicalize(CanonicalJson.parse(input));
        assertArrayEquals(want, got, () -> name + ": got " + new String(got, StandardCharsets.UTF_8));
    }

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = Rfc8785VectorsTest.class.getResourceAsStream("/rfc8785/" + path)) {
            if (in == null) throw new IOException("missing test resource rfc8785/" + path);
            return in.readAllBytes();
        }
    }

}
