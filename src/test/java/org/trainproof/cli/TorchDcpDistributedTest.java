package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.checkpoint.CheckpointSource;
import org.trainproof.checkpoint.DcpReader;
import org.trainproof.checkpoint.SourceTensor;
import org.trainproof.ledger.LedgerFindings;

/**
 * DCP end to end with 2 real processes: {@code ddp_dcp.py} trains under DDP (gloo, CPU), saves a
 * torch.distributed.checkpoint with row-sharded DTensors, and each rank hashes only its own
 * {@code __R_0.distcp} through {@code trainproof.distributed.record_shards} (inspect --rank per rank,
 * gather_object to rank 0, rank 0 records). The folded entry has every tensor once, split tensors with
 * their slices, statistics equal to torch's float64 statistics of the whole tensors; verify --artifacts
 * exits 0, and a flipped byte in rank 1's .distcp is named with rank, file and tensor. Skipped, with the
 * reason, where python3 cannot import torch.
 */
class TorchDcpDistributedTest {
    @TempDir
    Path dir;

    static final ObjectMapper M = new ObjectMapper();
    static final int STEPS = 10;

    @Test
    void dcpTwoRanks_eachHashesItsDistcp_rank0Records_verifyPasses_flippedByteNamed() throws Exception {
        String missing = TorchDistributedTest.torchMissing();
        if (missing != null) System.out.println("TorchDcpDistributedTest skipped: " + missing);
        assumeTrue(missing == null, missing);

        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path key = dir.resolve("k.key"), pub = dir.resolve("k.pub"), db = dir.resolve("ledger.db");
        Path cfg = Path.of(TorchDcpDistributedTest.class.getResource("/runconfig/build-nanogpt-124m.json").toURI());
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/dcp", "--run-config", cfg).code());
        Path out = Files.createDirectories(dir.resolve("run"));
        Path script = Path.of(TorchDcpDistributedTest.class.getResource("/distributed/ddp_dcp.py").toURI());

        ProcessBuilder pb = new ProcessBuilder("python3", script.toString(), out.toString(), db.toString(), key.toString(),
                String.valueOf(STEPS)).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", Path.of("python").toAbsolutePath().toString());
        pb.environment().put("TRAINPROOF_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("TRAINPROOF_JVM_ARGS", "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        TorchRuns.runOk(pb, "ddp_dcp.py");

        JsonNode manifest = TorchRuns.onlyCheckpointManifest(db);
        assertEquals(2, manifest.path("world_size").asInt());
        assertEquals("dcp", manifest.path("format").asText());
        List<String> files = new ArrayList<>();
        for (JsonNode f : manifest.path("files")) files.add(f.path("rank").asInt() + ":" + f.path("path").asText());
        assertEquals(List.of("0:.metadata", "0:__0_0.distcp", "1:__1_0.distcp"), files);
        JsonNode ref = M.readTree(out.resolve("torch-stats.json").toFile());
        int split = 0;
        for (JsonNode t : manifest.path("tensors")) {
            String n = t.path("name").asText();
            JsonNode r = ref.get(n);
            assertNotNull(r, "torch has no tensor " + n);
            if (t.has("slices")) {
                split++;
                assertEquals(2, t.path("slices").size(), n);
            }
            TorchRuns.assertStatsMatchTorch(n, t.path("stats"), r);
        }
        assertEquals(ref.size(), manifest.path("tensors").size());
        assertEquals(ref.size() - 1, split, "every parameter split across the 2 ranks, meta.step whole");

        CliRun v = CliRun.run("verify", db, "--key", pub, "--artifacts", out, "--integrity-only");
        assertEquals(ExitCode.OK, v.code(), v.toString());

        Path ckpt = out.resolve("step-" + STEPS);
        Path shard = ckpt.resolve("__1_0.distcp");
        long at;
        try (CheckpointSource s = DcpReader.openRankShard(ckpt, "__1_0.distcp", false)) {
            SourceTensor w = s.tensors().stream().filter(t -> t.name().equals("3.weight")).findFirst().orElseThrow();
            at = w.begin() + 5;
        }
        byte[] bytes = Files.readAllBytes(shard);
        bytes[(int) at] ^= 0x10;
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
        assertEquals("step-" + STEPS + "/__1_0.distcp", bad.path("location").path("file").asText(), bad.toString());
        assertTrue(bad.path("message").asText().startsWith("rank 1 "), bad.toString());
    }
}
