package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.bytes.Digest;
import org.trainproof.ledger.CanonicalJson;
import org.trainproof.merkle.Hashes;

/** The ledger commands end to end through Cli.run, with real files. */
class LedgerCliTest {
    @TempDir
    Path dir;

    Path key;
    Path pub;
    Path db;
    Path ck;

    private static final ObjectMapper M = new ObjectMapper();

    private static Path resource(String name) throws Exception {
        return Path.of(LedgerCliTest.class.getResource("/runconfig/" + name).toURI());
    }

    private static Schema schema(String file) throws Exception {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(Path.of("schemas", file)));
    }

    @BeforeEach
    void setUp() throws Exception {
        CliRun k = CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k"));
        assertEquals(0, k.code(), k.toString());
        key = dir.resolve("k.key");
        pub = dir.resolve("k.pub");
        assertEquals(k.out().trim(), Files.readString(pub).trim());
        db = dir.resolve("ledger.db");
        CliRun i = CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/1", "--run-config", resource("build-nanogpt-124m.json"));
        assertEquals(0, i.code(), i.toString());
        ck = dir.resolve("run").resolve("model_00100.safetensors");
        Files.createDirectories(ck.getParent());
        double[] w = new double[250 * 300];
        Random rnd = new Random(3);
        for (int j = 0; j < w.length; j++) w[j] = rnd.nextGaussian() * 0.02;
        new org.trainproof.checkpoint.SafetensorsWriter()
                .tensor("w", org.trainproof.checkpoint.Dtype.F32, new long[] {250, 300}, w).write(ck);
        CliRun r = CliRun.run("record", db, "--key", key, "--step", 100, "--checkpoint", ck, "--event", "saved checkpoint");
        assertEquals(0, r.code(), r.toString());
    }

    @Test
    void keygen_existingPrefix_refusedExit3() {
        CliRun k = CliRun.run("keygen", "--name", "x", "--out", dir.resolve("k"));
        assertEquals(ExitCode.BAD_INPUT, k.code(), k.toString());
    }

    @Test
    void init_existingLedger_refusedAndUnchanged() throws Exception {
        byte[] before = Files.readAllBytes(db);
        CliRun i = CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/2");
        assertEquals(ExitCode.BAD_INPUT, i.code(), i.toString());
        assertArrayEquals(before, Files.readAllBytes(db));
    }

    @Test
    void head_printsSignedCheckpointByteExact() {
        CliRun h = CliRun.run("head", db);
        assertEquals(0, h.code(), h.toString());
        assertTrue(h.out().startsWith("example.com/runs/1\n3\n"), h.out());
        assertTrue(h.out().contains("\n\n\u2014 example.com/lab "), h.out());
        assertTrue(h.out().endsWith("\n"));
    }

    @Test
    void logJson_linesCarryIndexLeafHashAndEntry_leafHashRecomputes() throws Exception {
        CliRun l = CliRun.run("log", db, "--json", "-");
        assertEquals(0, l.code(), l.toString());
        List<String> lines = l.out().lines().toList();
        assertEquals(3, lines.size());
        String prevLeaf = null;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = CanonicalJson.parse(lines.get(i).getBytes(StandardCharsets.UTF_8));
            assertEquals(i, n.get("index").asInt());
            JsonNode entry = n.get("entry");
            assertEquals(n.get("leaf_hash").asText(), Hashes.leaf(CanonicalJson.canonicalize(entry)).toString());
            assertEquals(i, entry.get("seq").asInt());
            if (prevLeaf != null) assertEquals(prevLeaf, entry.get("prev").asText());
            prevLeaf = n.get("leaf_hash").asText();
        }
        JsonNode cp = CanonicalJson.parse(lines.get(1).getBytes(StandardCharsets.UTF_8)).get("entry").get("body");
        assertEquals(100, cp.get("step").asInt());
        // A safetensors checkpoint is recorded by its manifest; its one tensor's digest is the SHA-256
        // of the bytes after the 8-byte length and the header (computed here independently).
        byte[] file = Files.readAllBytes(ck);
        int n = (int) java.nio.ByteBuffer.wrap(file, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode m = cp.get("checkpoint").get("manifests").get(0);
        assertEquals("model_00100.safetensors", m.get("name").asText());
        assertEquals(Digest.sha256(java.util.Arrays.copyOfRange(file, 8 + n, file.length)).toString(),
                m.get("manifest").get("tensors").get(0).get("sha256").asText());
        assertEquals(0, cp.get("checkpoint").get("files").size());
        CliRun table = CliRun.run("log", db);
        assertEquals(0, table.code());
        assertEquals(4, table.out().lines().count(), table.out());
    }

    @Test
    void runConfig_genesisBodyFromLedger_validatesAgainstSchema() throws Exception {
        Schema s = schema("run-config.schema.json");
        CliRun l = CliRun.run("log", db, "--json", "-");
        JsonNode genesis = M.readTree(l.out().lines().findFirst().orElseThrow()).get("entry");
        assertEquals("run", genesis.get("kind").asText());
        assertEquals(List.of(), s.validate(genesis.get("body")));
        assertEquals(List.of(), s.validate(M.readTree(resource("minimal.json").toFile())));
        assertFalse(s.validate(M.readTree(resource("bad-loss-units.json").toFile())).isEmpty(), "schema must reject loss_units=furlongs");
    }

    @Test
    void runConfig_withNaN_isBadInputAndCreatesNothing() throws Exception {
        Path cfg = dir.resolve("nan.json");
        Files.writeString(cfg, "{\"vocab_size\": 10, \"grad_clip\": NaN}");
        Path other = dir.resolve("other.db");
        CliRun i = CliRun.run("init", other, "--key", key, "--origin", "example.com/x", "--run-config", cfg);
        assertEquals(ExitCode.BAD_INPUT, i.code(), i.toString());
        assertFalse(Files.exists(other));
        Files.writeString(cfg, "{\"seed\": 1152921504606846976}");
        CliRun big = CliRun.run("init", other, "--key", key, "--origin", "example.com/x", "--run-config", cfg);
        assertEquals(ExitCode.BAD_INPUT, big.code(), big.toString());
        assertFalse(Files.exists(other));
        Files.writeString(cfg, "{\"a\": 1, \"a\": 2}");
        assertEquals(ExitCode.BAD_INPUT, CliRun.run("init", other, "--key", key, "--origin", "example.com/x", "--run-config", cfg).code());
        assertFalse(Files.exists(other));
    }

    @Test
    void proveAndVerifyProof_offline_withArtifact() throws Exception {
        Path proof = dir.resolve("p.json");
        CliRun p = CliRun.run("prove", db, "--step", 100, "--out", proof);
        assertEquals(0, p.code(), p.toString());
        JsonNode bundle = M.readTree(proof.toFile());
        assertEquals(List.of(), schema("proof-bundle.schema.json").validate(bundle));
        // Offline: the ledger is not needed.
        Files.move(db, dir.resolve("elsewhere.db"));
        CliRun v = CliRun.run("verify-proof", proof, "--key", pub, "--artifact", ck);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().startsWith("OK: entry 1 (checkpoint, step 100)"), v.out());
        // The tlog_proof string alone is a standalone .tlog-proof.
        Path bare = dir.resolve("p.tlog-proof");
        Files.writeString(bare, bundle.get("tlog_proof").asText());
        assertEquals(0, CliRun.run("verify-proof", bare, "--key", pub).code());
    }

    @Test
    void verifyProof_modifiedArtifact_exit1() throws Exception {
        Path proof = dir.resolve("p.json");
        assertEquals(0, CliRun.run("prove", db, "--index", 1, "--out", proof).code());
        byte[] data = Files.readAllBytes(ck);
        data[1234] ^= 1;
        Files.write(ck, data);
        assertEquals(ExitCode.INTEGRITY, CliRun.run("verify-proof", proof, "--key", pub, "--artifact", ck).code());
    }

    @Test
    void verifyProof_otherKey_exit1() throws Exception {
        Path proof = dir.resolve("p.json");
        assertEquals(0, CliRun.run("prove", db, "--index", 2, "--out", proof).code());
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("o")).code());
        CliRun v = CliRun.run("verify-proof", proof, "--key", dir.resolve("o.pub"));
        assertEquals(ExitCode.INTEGRITY, v.code(), v.toString());
    }

    @Test
    void verifyProof_modifiedProofHash_exit1_modifiedEntry_exit1_garbage_exit3() throws Exception {
        Path proof = dir.resolve("p.json");
        assertEquals(0, CliRun.run("prove", db, "--index", 0, "--out", proof).code());
        ObjectNode bundle = (ObjectNode) M.readTree(proof.toFile());
        String t = bundle.get("tlog_proof").asText();
        String[] lines = t.split("\n", -1);
        int hashLine = 3; // header, extra, index, then the first proof hash
        byte[] h = Base64.getDecoder().decode(lines[hashLine]);
        h[0] ^= 1;
        lines[hashLine] = Base64.getEncoder().encodeToString(h);
        bundle.put("tlog_proof", String.join("\n", lines));
        Path bad = dir.resolve("bad.json");
        M.writeValue(bad.toFile(), bundle);
        assertEquals(ExitCode.INTEGRITY, CliRun.run("verify-proof", bad, "--key", pub).code());

        ObjectNode edited = (ObjectNode) M.readTree(proof.toFile());
        ((ObjectNode) edited.get("entry").get("body")).put("vocab_size", 1);
        Path bad2 = dir.resolve("bad2.json");
        M.writeValue(bad2.toFile(), edited);
        assertEquals(ExitCode.INTEGRITY, CliRun.run("verify-proof", bad2, "--key", pub).code());

        Path garbage = dir.resolve("g.json");
        Files.writeString(garbage, "not a proof");
        CliRun g = CliRun.run("verify-proof", garbage, "--key", pub);
        assertEquals(ExitCode.BAD_INPUT, g.code(), g.toString());
        assertEquals(1, g.err().lines().count(), g.err());
    }

    @Test
    void verify_clean_exit0_withJsonAndSince() throws Exception {
        Path saved = dir.resolve("head.txt");
        Files.writeString(saved, CliRun.run("head", db).out());
        assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 200, "--event", "later").code());
        Path json = dir.resolve("report.json");
        CliRun v = CliRun.run("verify", db, "--integrity-only", "--key", pub, "--since", saved, "--artifacts", ck.getParent(), "--json", json);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().startsWith("VERIFIED (exit 0)"), v.out());
        assertTrue(v.out().contains("\n  VERIFIED: the ledger is intact"), v.out());
        JsonNode rep = M.readTree(json.toFile());
        org.trainproof.SchemaValidation.assertValid("report.schema.json", rep);
        assertEquals(4, rep.get("integrity").get("entries").asInt());
        assertTrue(rep.get("integrity").get("since_checked").asBoolean());
        assertEquals(1, rep.get("integrity").get("artifacts_hashed").asInt());
    }

    @Test
    void verify_withAnalysis_ledgerWithoutLogs_isInconclusive_notConsistent() throws Exception {
        // The setUp ledger holds a run config and one checkpoint but no training log: integrity is
        // intact, yet nothing can establish training from scratch, so the answer is 5, never 0.
        Path json = dir.resolve("full.json");
        CliRun v = CliRun.run("verify", db, "--key", pub, "--json", json);
        assertEquals(ExitCode.INCONCLUSIVE, v.code(), v.toString());
        JsonNode rep = M.readTree(json.toFile());
        org.trainproof.SchemaValidation.assertValid("report.schema.json", rep);
        assertEquals("PASS", rep.get("checks").get(0).get("status").asText());
        assertTrue(rep.get("not_checked").size() > 0, rep.toString());
        assertTrue(v.out().startsWith("INCONCLUSIVE (exit 5): "), v.out());
        assertTrue(v.out().contains("\n  Inconclusive"), v.out());
    }

    @Test
    void verify_tamperedEntry_exit1() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("DROP TRIGGER entries_no_update");
            st.execute("UPDATE entries SET bytes = CAST(replace(CAST(bytes AS TEXT), 'saved', 'faked') AS BLOB) WHERE seq = 2");
        }
        CliRun v = CliRun.run("verify", db, "--integrity-only", "--key", pub);
        assertEquals(ExitCode.INTEGRITY, v.code(), v.toString());
        assertTrue(v.out().contains("ENTRY_LEAF_HASH_MISMATCH"), v.out());
    }

    @Test
    void record_wrongKey_exit3_andLedgerUnchanged() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("o")).code());
        byte[] before = Files.readAllBytes(db);
        CliRun r = CliRun.run("record", db, "--key", dir.resolve("o.key"), "--step", 5, "--event", "x");
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        assertArrayEquals(before, Files.readAllBytes(db));
    }

    @Test
    void record_afterEnd_exit3() {
        assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 300, "--end").code());
        CliRun r = CliRun.run("record", db, "--key", key, "--step", 301, "--event", "too late");
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        assertEquals(0, CliRun.run("verify", db, "--integrity-only", "--key", pub).code());
    }

    @Test
    void record_groupReadableKey_exit3() throws Exception {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        CliRun r = CliRun.run("record", db, "--key", key, "--step", 5, "--event", "x");
        assertEquals(ExitCode.BAD_INPUT, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    /** --passphrase-env reads the environment, so this runs the CLI in child processes. */
    @Test
    void encryptedKey_viaPassphraseEnv_rightWorks_wrongIsExit3_unsetIsUsage() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        java.util.function.BiFunction<String, List<String>, Integer> run = (pass, args) -> {
            List<String> cmd = new java.util.ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), "org.trainproof.cli.Main"));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("TP_PASS", pass);
            try {
                Process p = pb.start();
                p.getInputStream().readAllBytes();
                return p.waitFor();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        String prefix = dir.resolve("enc").toString();
        assertEquals(0, run.apply("s3cret", List.of("keygen", "--name", "example.com/enc", "--out", prefix, "--passphrase-env", "TP_PASS")));
        assertTrue(Files.readString(Path.of(prefix + ".key")).contains("ENCRYPTED PRIVATE KEY"));
        String l2 = dir.resolve("enc.db").toString();
        assertEquals(ExitCode.BAD_INPUT, run.apply("wrong", List.of("init", l2, "--key", prefix + ".key", "--origin", "example.com/e",
                "--passphrase-env", "TP_PASS")));
        assertFalse(Files.exists(Path.of(l2)));
        assertEquals(0, run.apply("s3cret", List.of("init", l2, "--key", prefix + ".key", "--origin", "example.com/e",
                "--passphrase-env", "TP_PASS")));
        assertEquals(ExitCode.USAGE, CliRun.run("record", l2, "--key", prefix + ".key", "--step", 1, "--event", "x",
                "--passphrase-env", "TP_UNSET_VARIABLE_FOR_TEST").code());
        assertEquals(ExitCode.BAD_INPUT, CliRun.run("record", l2, "--key", prefix + ".key", "--step", 1, "--event", "x").code());
    }

    @Test
    void record_nothingToRecord_usage() {
        assertEquals(ExitCode.USAGE, CliRun.run("record", db, "--key", key, "--step", 5).code());
    }

    @Test
    void nonLedgerInputs_exit3_nothingCreatedOrChanged() throws Exception {
        Path missing = dir.resolve("missing.db");
        Path empty = Files.createFile(dir.resolve("empty.db"));
        Path text = dir.resolve("text.db");
        Files.writeString(text, "hello, I am not a database\n");
        Path otherSqlite = dir.resolve("other.sqlite");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + otherSqlite); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t(x)");
        }
        Path newer = dir.resolve("newer.db");
        Files.copy(db, newer);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + newer); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        for (Path p : List.of(missing, empty, text, otherSqlite, newer)) {
            byte[] before = Files.exists(p) ? Files.readAllBytes(p) : null;
            List<Object[]> commands = List.of(
                    new Object[] {"verify", p},
                    new Object[] {"head", p},
                    new Object[] {"log", p},
                    new Object[] {"prove", p, "--index", 0},
                    new Object[] {"record", p, "--key", key, "--step", 1, "--event", "x"});
            for (Object[] cmd : commands) {
                CliRun r = CliRun.run(cmd);
                assertEquals(ExitCode.BAD_INPUT, r.code(), p.getFileName() + " " + cmd[0] + ": " + r);
                assertEquals(1, r.err().lines().count(), r.err());
                assertFalse(r.err().contains("Exception"), r.err());
            }
            if (before == null) {
                assertFalse(Files.exists(p), "created " + p);
            } else {
                assertArrayEquals(before, Files.readAllBytes(p), "changed " + p);
            }
            for (String side : List.of("-wal", "-shm", "-journal")) {
                Path s = p.resolveSibling(p.getFileName() + side);
                assertFalse(Files.exists(s) && Files.size(s) > 0 && !p.equals(newer), "left " + s);
            }
        }
    }
}
