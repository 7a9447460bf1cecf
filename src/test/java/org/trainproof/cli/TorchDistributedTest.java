package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.checkpoint.Manifests;
import org.trainproof.ledger.LedgerFindings;

/**
 * A real multi-process run: {@code ddp_shards.py} spawns 2 processes (torch.multiprocessing, gloo on
 * CPU) that train a small model under DDP, each saves and hashes its own shard with {@code trainproof
 * inspect --json --rank}, the manifests are gathered to rank 0 over torch.distributed, and rank 0 alone
 * records them with {@code record --shard-manifest}. Then {@code verify --artifacts} exits 0, the folded
 * statistics agree with torch's float64 statistics of the whole tensors, and a flipped byte in rank 1's
 * shard is reported with rank, file and tensor. Skipped, with the reason, where python3 cannot import torch.
 */
class TorchDistributedTest {
    @TempDir
    Path dir;

    static final ObjectMapper M = new ObjectMapper();
    static final int STEPS = 20;

    static String torchMissing() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import torch, numpy").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "python3 -c 'import torch' did not finish in 120 s";
            }
            return p.exitValue() == 0 ? null : "python3 cannot import torch/numpy: " + out.strip();
        } catch (IOException e) {
            return "no python3: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Test
    void ddpTwoRanks_eachHashesItsShard_rank0Records_verifyPasses_flippedByteNamed() throws Exception {
        String missing = torchMissing();
        if (missing != null) System.out.println("TorchDistributedTest skipped: " + missing);
        assumeTrue(missing == null, missing);

        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path key = dir.resolve("k.key"), pub = dir.resolve("k.pub"), db = dir.resolve("ledger.db");
        Path cfg = Path.of(TorchDistributedTest.class.getResource("/runconfig/build-nanogpt-124m.json").toURI());
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/ddp", "--run-config", cfg).code());
        Path out = Files.createDirectories(dir.resolve("run"));
        Path script = Path.of(TorchDistributedTest.class.getResource("/distributed/ddp_shards.py").toURI());

        ProcessBuilder pb = new ProcessBuilder("python3", script.toString(), out.toString(), db.toString(), key.toString(),
                String.valueOf(STEPS)).redirectErrorStream(true);
        pb.environment().put("TRAINPROOF_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("TRAINPROOF_CP", System.getProperty("java.class.path"));
        TorchRuns.runOk(pb, "ddp_shards.py");

        // one checkpoint entry folded from 2 ranks
        JsonNode manifest = TorchRuns.onlyCheckpointManifest(db);
        assertEquals(2, manifest.path("world_size").asInt());
        assertEquals(List.of(0, 1), List.of(manifest.path("files").get(0).path("rank").asInt(), manifest.path("files").get(1).path("rank").asInt()));
        JsonNode ref = M.readTree(out.resolve("torch-stats.json").toFile());
        int split = 0;
        for (JsonNode t : manifest.path("tensors")) {
            JsonNode r = ref.get(t.path("name").asText());
            assertNotNull(r, "torch has no tensor " + t.path("name"));
            if (t.has("slices")) split++;
            TorchRuns.assertStatsMatchTorch(t.path("name").asText(), t.path("stats"), r);
        }
        assertEquals(ref.size(), manifest.path("tensors").size());
        assertTrue(split >= 4, "tensors split across the 2 ranks: " + split);

        CliRun v = CliRun.run("verify", db, "--key", pub, "--artifacts", out, "--integrity-only");
        assertEquals(ExitCode.OK, v.code(), v.toString());

        Path shard = out.resolve("step-" + STEPS).resolve("rank1.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        var w = Manifests.of(shard).tensor("3.weight").orElseThrow();
        bytes[(int) (8 + headerLen + w.begin() + 5)] ^= 0x10;
        Files.write(shard, bytes);
        Path json = dir.resolve("tampered.json");
        v = CliRun.run("verify", db, "--key", pub, "--artifacts", out, "--integrity-only", "--json", json, "--quiet");
        assertEquals(ExitCode.INTEGRITY, v.code(), v.toString());
        JsonNode bad = null;
        for (JsonNode c : M.readTree(json.toFile()).path("checks")) for (JsonNode f : c.path("findings")) {
            if (f.path("code").asText().equals(LedgerFindings.ARTIFACT_DIGEST_MISMATCH)) bad = f;
        }
        assertNotNull(bad);
        assertEquals("3.weight", bad.path("location").path("tensor").asText(), bad.toString());
        assertEquals("step-" + STEPS + "/rank1.safetensors", bad.path("location").path("file").asText(), bad.toString());
        assertTrue(bad.path("message").asText().startsWith("rank 1 "), bad.toString());
    }
}
