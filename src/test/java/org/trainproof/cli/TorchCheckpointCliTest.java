package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.Manifests;
import org.trainproof.checkpoint.SafetensorsWriter;

/**
 * Commands end to end on torch-written checkpoints: inspect a Lightning .ckpt, refuse an RNG-state
 * pickle naming numpy, record a .ckpt, verify --artifacts it, localise a flipped byte to its tensor,
 * and compare gives the same answer for a .pt as for the safetensors file it was converted from.
 */
class TorchCheckpointCliTest {
    @TempDir
    static Path dir;

    static final ObjectMapper M = new ObjectMapper();

    static void python(String code, Path cwd) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", code).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        if (p.exitValue() != 0) throw new IllegalStateException(out);
    }

    static boolean torch() {
        try {
            python("import torch", Path.of("."));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @BeforeAll
    static void write() throws Exception {
        Assumptions.assumeTrue(torch(), "python3 -c 'import torch' fails here: torch-written-file test skipped");
        // two unrelated small models as safetensors (trainproof's writer), then torch copies of them
        java.util.Random r = new java.util.Random(3);
        for (String name : new String[] {"a", "b"}) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String t : new String[] {"l0.weight", "l1.weight"}) {
                double[] v = new double[64 * 48];
                for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian() * 0.02;
                w.tensor(t, Dtype.F32, new long[] {64, 48}, v);
            }
            double[] g = new double[64];
            for (int i = 0; i < g.length; i++) g[i] = 1 + r.nextGaussian() * 0.01;
            w.tensor("norm.weight", Dtype.F32, new long[] {64}, g);
            w.write(dir.resolve(name + ".safetensors"));
        }
        python(String.join("\n",
                "import json, struct, torch, numpy as np",
                "def load(p):",
                "    b = open(p, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n]); d = b[8 + n:]",
                "    return {k: torch.from_numpy(np.frombuffer(d[v['data_offsets'][0]:v['data_offsets'][1]], dtype=np.float32).copy()).reshape(v['shape'])",
                "            for k, v in h.items() if k != '__metadata__'}",
                "a = load('a.safetensors')",
                "torch.save(a, 'a.pt')",
                "torch.save({'epoch': 1, 'global_step': 50, 'pytorch-lightning_version': '2.4.0', 'state_dict': a,",
                "            'optimizer_states': [], 'lr_schedulers': []}, 'epoch=1-step=50.ckpt')",
                "torch.save({'python': 1, 'numpy': np.random.get_state(), 'cpu': torch.get_rng_state()}, 'rng_state.pth')"), dir);
    }

    @Test
    void inspect_lightningCkpt_reportsContainerAndStep_rngStateRefusedNamingNumpy() {
        CliRun i = CliRun.run("inspect", dir.resolve("epoch=1-step=50.ckpt"));
        assertEquals(0, i.code(), i.toString());
        assertTrue(i.out().contains("global_step 50"), i.out());
        assertTrue(i.out().contains("lightning: 3 tensors"), i.out());
        CliRun rng = CliRun.run("inspect", dir.resolve("rng_state.pth"));
        assertEquals(ExitCode.BAD_INPUT, rng.code(), rng.toString());
        assertTrue(rng.err().contains("numpy"), rng.err());
        assertEquals(1, rng.err().lines().count(), rng.err());
    }

    @Test
    void record_verifyArtifacts_thenFlippedByteLocalisedToItsTensor() throws Exception {
        Path run = Files.createDirectory(dir.resolve("run"));
        Path ck = run.resolve("epoch=1-step=50.ckpt");
        Files.copy(dir.resolve("epoch=1-step=50.ckpt"), ck);
        Files.copy(dir.resolve("rng_state.pth"), run.resolve("rng_state.pth"));
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path key = dir.resolve("k.key");
        Path pub = dir.resolve("k.pub");
        Path db = run.resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/pt").code());
        CliRun r = CliRun.run("record", db, "--key", key, "--step", 50, "--checkpoint", ck, "--checkpoint", run.resolve("rng_state.pth"));
        assertEquals(0, r.code(), r.toString());
        Path json = dir.resolve("v.json");
        CliRun v = CliRun.run("verify", db, "--integrity-only", "--key", pub, "--artifacts", run, "--json", json);
        assertEquals(0, v.code(), v.toString());
        assertTrue(M.readTree(json.toFile()).get("integrity").get("artifacts_hashed").asInt() >= 1);

        CheckpointManifest m = Manifests.of(ck);
        long at = m.tensor("state_dict/l1.weight").orElseThrow().begin() + 100;
        try (FileChannel ch = FileChannel.open(ck, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 1)).rewind();
            ch.write(b, at);
        }
        Path json2 = dir.resolve("v2.json");
        CliRun bad = CliRun.run("verify", db, "--integrity-only", "--key", pub, "--artifacts", run, "--json", json2);
        assertEquals(ExitCode.INTEGRITY, bad.code(), bad.toString());
        JsonNode rep = M.readTree(json2.toFile());
        assertTrue(rep.toString().contains("ARTIFACT_DIGEST_MISMATCH"), rep.toString());
        assertTrue(rep.toString().contains("state_dict/l1.weight"), rep.toString());
    }

    @Test
    void compare_ptAgainstSafetensors_sameAnswerAsSafetensorsAgainstSafetensors() throws IOException {
        CliRun st = CliRun.run("compare", dir.resolve("a.safetensors"), dir.resolve("b.safetensors"));
        CliRun pt = CliRun.run("compare", dir.resolve("a.pt"), dir.resolve("b.safetensors"));
        assertTrue(st.code() != ExitCode.BAD_INPUT, st.toString());
        assertEquals(st.code(), pt.code(), pt.toString());
        assertEquals(st.out().replace("a.safetensors", "A"), pt.out().replace("a.pt", "A"));
    }
}
