package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;

/**
 * Issue 20, item 3: verify-proof used to ignore the bundle's own origin, index and leaf_hash, unknown
 * fields and a duplicated signature line (all exited 0). Each mutation of a genuine bundle below is
 * refused: schema violations as bad input (3), fields that contradict the proof as failures (1).
 */
class VerifyProofBundleTest {
    private static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path dir;

    Path pub;
    Path proof;
    ObjectNode genuine;

    @BeforeEach
    void setUp() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        pub = dir.resolve("k.pub");
        Path db = dir.resolve("l.db");
        assertEquals(0, CliRun.run("init", db, "--key", dir.resolve("k.key"), "--origin", "example.com/runs/1").code());
        for (int s = 1; s <= 3; s++) {
            assertEquals(0, CliRun.run("record", db, "--key", dir.resolve("k.key"), "--step", s, "--event", "e" + s).code());
        }
        proof = dir.resolve("p.json");
        CliRun p = CliRun.run("prove", db, "--index", 2, "-o", proof);
        assertEquals(0, p.code(), p.toString());
        genuine = (ObjectNode) M.readTree(proof.toFile());
    }

    private CliRun verifyMutated(Consumer<ObjectNode> mutation) throws Exception {
        ObjectNode b = genuine.deepCopy();
        mutation.accept(b);
        Path f = dir.resolve("mutated.json");
        Files.writeString(f, M.writeValueAsString(b));
        return CliRun.run("verify-proof", f, "--key", pub);
    }

    @Test
    void genuineBundle_exit0() throws Exception {
        CliRun v = verifyMutated(b -> { });
        assertEquals(0, v.code(), v.toString());
    }

    @Test
    void foreignOrigin_exit1() throws Exception {
        CliRun v = verifyMutated(b -> b.put("origin", "evil/origin"));
        assertEquals(ExitCode.INTEGRITY, v.code(), v.toString());
        assertTrue(v.err().contains("origin"), v.err());
    }

    @Test
    void indexOffByOne_exit1() throws Exception {
        assertEquals(ExitCode.INTEGRITY, verifyMutated(b -> b.put("index", 3)).code());
        assertEquals(ExitCode.INTEGRITY, verifyMutated(b -> b.put("index", 1)).code());
    }

    @Test
    void wrongLeafHash_exit1() throws Exception {
        CliRun v = verifyMutated(b -> b.put("leaf_hash", "00".repeat(32)));
        assertEquals(ExitCode.INTEGRITY, v.code(), v.toString());
    }

    @Test
    void requiredFieldRemoved_exit3() throws Exception {
        for (String f : new String[] {"origin", "index", "leaf_hash", "entry", "format", "tlog_proof"}) {
            CliRun v = verifyMutated(b -> b.remove(f));
            assertEquals(ExitCode.BAD_INPUT, v.code(), f + ": " + v);
        }
    }

    @Test
    void unknownTopLevelField_exit3() throws Exception {
        CliRun v = verifyMutated(b -> b.put("trusted", true));
        assertEquals(ExitCode.BAD_INPUT, v.code(), v.toString());
        assertTrue(v.err().contains("schema"), v.err());
    }

    @Test
    void wrongTypes_exit3() throws Exception {
        assertEquals(ExitCode.BAD_INPUT, verifyMutated(b -> b.put("index", "2")).code());
        assertEquals(ExitCode.BAD_INPUT, verifyMutated(b -> b.put("index", -1)).code());
        assertEquals(ExitCode.BAD_INPUT, verifyMutated(b -> b.put("leaf_hash", "XYZ")).code());
    }

    @Test
    void duplicatedSignatureLine_exit1() throws Exception {
        String t = genuine.get("tlog_proof").asText();
        String[] lines = t.split("\n");
        String sig = lines[lines.length - 1];
        assertTrue(sig.startsWith("\u2014 "), sig);
        CliRun v = verifyMutated(b -> b.put("tlog_proof", t + sig + "\n"));
        assertEquals(ExitCode.INTEGRITY, v.code(), v.toString());
        // The same in a bare .tlog-proof.
        Path bare = dir.resolve("p.tlog-proof");
        Files.writeString(bare, t + sig + "\n");
        assertEquals(ExitCode.INTEGRITY, CliRun.run("verify-proof", bare, "--key", pub).code());
        Files.writeString(bare, t);
        assertEquals(0, CliRun.run("verify-proof", bare, "--key", pub).code());
    }
}
