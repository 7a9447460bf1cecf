package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.checkpoint.Manifests;
import org.trainproof.checkpoint.ShardFoldTest;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerFindings;

/**
 * Distributed checkpoints end to end through Cli.run: per-rank {@code inspect --json --rank}, one
 * {@code record --shard-manifest}, {@code verify --artifacts} on hosts holding only some shards, and
 * {@code merge-verify} of the hosts' reports; a flipped byte in rank 1's shard is named with rank,
 * file and tensor.
 */
class DistributedCliTest {
    @TempDir
    Path dir;

    Path key, pub, db, ckpt;
    List<Path> manifests = new ArrayList<>();
    static final ObjectMapper M = new ObjectMapper();

    static Schema schema(String file) throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(Path.of("schemas", file)), InputFormat.JSON);
    }

    @BeforeEach
    void setUp() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        key = dir.resolve("k.key");
        pub = dir.resolve("k.pub");
        db = dir.resolve("ledger.db");
        Path cfg = Path.of(DistributedCliTest.class.getResource("/runconfig/build-nanogpt-124m.json").toURI());
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/dist", "--run-config", cfg).code());
        ckpt = Files.createDirectories(dir.resolve("ckpt").resolve("step-10"));
        List<Path> shards = ShardFoldTest.shards(ckpt, ShardFoldTest.Model.random(5), ShardFoldTest.slices(0), ShardFoldTest.slices(1));
        Schema schema = schema("checkpoint-manifest.schema.json");
        for (int r = 0; r < 2; r++) {
            CliRun i = CliRun.run("inspect", "--json", "--rank", r, "--world-size", 2, "--host", "node" + r, shards.get(r));
            assertEquals(0, i.code(), i.toString());
            JsonNode n = M.readTree(i.out());
            assertEquals(r, n.get("rank").asInt());
            assertTrue(schema.validate(n).isEmpty(), schema.validate(n).toString());
            Path m = dir.resolve("manifest-rank" + r + ".json");
            Files.writeString(m, i.out());
            manifests.add(m);
        }
    }

    private CliRun record(Object... extra) {
        List<Object> a = new ArrayList<>(List.of("record", db, "--key", key, "--step", 10, "--name", "step-10", "--shard-manifest"));
        a.addAll(List.of(extra));
        return CliRun.run(a.toArray());
    }

    private JsonNode verify(Path artifacts, int expectedCode) throws IOException {
        Path out = Files.createTempFile(dir, "verify", ".json");
        CliRun v = CliRun.run("verify", db, "--key", pub, "--artifacts", artifacts, "--integrity-only", "--json", out, "--force", "--quiet");
        assertEquals(expectedCode, v.code(), v.toString());
        JsonNode rep = M.readTree(out.toFile());
        assertTrue(schema("report.schema.json").validate(rep).isEmpty(), schema("report.schema.json").validate(rep).toString());
        return rep;
    }

    private static List<String> statuses(JsonNode rep) {
        List<String> out = new ArrayList<>();
        for (JsonNode f : rep.path("integrity").path("shards").path("files")) out.add(f.path("rank").asInt() + ":" + f.path("status").asText());
        return out;
    }

    private static List<String> codes(JsonNode rep) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : rep.path("checks")) for (JsonNode f : c.path("findings")) out.add(f.path("code").asText());
        return out;
    }

    /** Copies rank r's shard of step-10 into a host directory of its own, as a cluster node would hold it. */
    private Path host(String name, int... ranks) throws IOException {
        Path h = Files.createDirectories(dir.resolve(name).resolve("step-10"));
        for (int r : ranks) Files.copy(ckpt.resolve("rank" + r + ".safetensors"), h.resolve("rank" + r + ".safetensors"));
        return h.getParent();
    }

    @Test
    void record_foldsShardManifests_oneEntryValidAgainstSchema_verifyAllHereExit0() throws Exception {
        CliRun r = record(manifests.get(1), manifests.get(0));
        assertEquals(0, r.code(), r.toString());
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(2, l.size(), "genesis + one checkpoint entry");
            JsonNode m = l.readEntry(1).body().path("checkpoint").path("manifests").get(0);
            assertEquals("step-10", m.path("name").asText());
            assertEquals(2, m.path("manifest").path("world_size").asInt());
            Schema s = schema("checkpoint-manifest.schema.json");
            assertTrue(s.validate(m.path("manifest")).isEmpty(), s.validate(m.path("manifest")).toString());
        }
        JsonNode rep = verify(dir.resolve("ckpt"), ExitCode.OK);
        assertEquals(List.of("0:match", "1:match"), statuses(rep));
        assertTrue(!codes(rep).contains(LedgerFindings.SHARDS_NOT_REREAD), codes(rep).toString());
    }

    @Test
    void verifyOnTwoHosts_eachReReadsItsShard_mergeSaysBothReRead() throws Exception {
        assertEquals(0, record(manifests.get(0), manifests.get(1)).code());
        JsonNode a = verify(host("hostA", 0), ExitCode.OK);
        JsonNode b = verify(host("hostB", 1), ExitCode.OK);
        assertEquals(List.of("0:match", "1:not re-read here"), statuses(a));
        assertEquals(List.of("0:not re-read here", "1:match"), statuses(b));
        assertTrue(codes(a).contains(LedgerFindings.SHARDS_NOT_REREAD));
        Path ja = dir.resolve("a.json"), jb = dir.resolve("b.json");
        M.writeValue(ja.toFile(), a);
        M.writeValue(jb.toFile(), b);
        CliRun merged = CliRun.run("merge-verify", "--json", "-", ja, jb);
        assertEquals(ExitCode.OK, merged.code(), merged.toString());
        JsonNode mj = M.readTree(merged.out());
        assertEquals(2, mj.path("files").size());
        for (JsonNode f : mj.path("files")) {
            assertEquals("match", f.path("status").asText());
            assertEquals(1, f.path("matched_on").size());
            assertTrue(f.path("matched_on").get(0).asText().contains(f.path("rank").asInt() == 0 ? "a.json" : "b.json"));
        }
        // one host alone cannot vouch for the other's shard
        assertEquals(ExitCode.INCONCLUSIVE, CliRun.run("merge-verify", ja).code());
    }

    @Test
    void flippedByteInRank1Shard_namedWithRankFileAndTensor() throws Exception {
        assertEquals(0, record(manifests.get(0), manifests.get(1)).code());
        Path hostB = host("hostB", 1);
        Path shard = hostB.resolve("step-10").resolve("rank1.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        var w = Manifests.of(shard).tensor("W").orElseThrow();
        bytes[(int) (8 + headerLen + w.begin() + 17)] ^= 0x01;
        Files.write(shard, bytes);
        JsonNode b = verify(hostB, ExitCode.INTEGRITY);
        assertEquals(List.of("0:not re-read here", "1:mismatch"), statuses(b));
        JsonNode bad = null;
        for (JsonNode c : b.path("checks")) for (JsonNode f : c.path("findings")) {
            if (f.path("code").asText().equals(LedgerFindings.ARTIFACT_DIGEST_MISMATCH)) bad = f;
        }
        assertTrue(bad != null, b.toString());
        assertEquals("W", bad.path("location").path("tensor").asText(), bad.toString());
        assertEquals("step-10/rank1.safetensors", bad.path("location").path("file").asText(), bad.toString());
        assertTrue(bad.path("message").asText().contains("rank 1"), bad.toString());
        Path ja = dir.resolve("a.json"), jb = dir.resolve("b.json");
        M.writeValue(ja.toFile(), verify(host("hostA", 0), ExitCode.OK));
        M.writeValue(jb.toFile(), b);
        CliRun merged = CliRun.run("merge-verify", ja, jb);
        assertEquals(ExitCode.INTEGRITY, merged.code(), merged.toString());
    }

    @Test
    void mergeVerify_reportsOfDifferentLedgerHeads_refusedExit3() throws Exception {
        assertEquals(0, record(manifests.get(0), manifests.get(1)).code());
        JsonNode a = verify(host("hostA", 0), ExitCode.OK);
        assertEquals(0, CliRun.run("record", db, "--key", key, "--step", 11, "--event", "later").code());
        JsonNode b = verify(host("hostB", 1), ExitCode.OK);
        Path ja = dir.resolve("a.json"), jb = dir.resolve("b.json");
        M.writeValue(ja.toFile(), a);
        M.writeValue(jb.toFile(), b);
        assertEquals(ExitCode.BAD_INPUT, CliRun.run("merge-verify", ja, jb).code());
    }

    @Test
    void record_overlappingOrMissingShard_refusedExit3_nothingAppended() throws Exception {
        assertEquals(ExitCode.BAD_INPUT, record(manifests.get(0)).code(), "rank 1 missing");
        assertEquals(ExitCode.BAD_INPUT, record(manifests.get(0), manifests.get(0)).code(), "rank 0 twice");
        assertEquals(ExitCode.USAGE, CliRun.run("record", db, "--key", key, "--shard-manifest", manifests.get(0)).code(), "no --step");
        try (Ledger l = Ledger.openReadOnly(db)) {
            assertEquals(1, l.size());
        }
    }

    @Test
    void inspect_rankWithoutWorldSize_usageError() {
        assertEquals(ExitCode.USAGE, CliRun.run("inspect", "--rank", 0, ckpt.resolve("rank0.safetensors")).code());
        assertEquals(ExitCode.USAGE, CliRun.run("inspect", "--rank", 2, "--world-size", 2, ckpt.resolve("rank0.safetensors")).code());
    }
}
