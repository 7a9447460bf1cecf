package org.trainproof.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.SafetensorsWriter;
import org.trainproof.ledger.CheckpointBodies;
import org.trainproof.ledger.EntryKinds;
import org.trainproof.ledger.Ledger;

/** watch --base DIR (as record --base): checkpoint and log names relative to DIR, so one verify --artifacts DIR re-reads both. */
class WatchBaseTest {
    @TempDir
    Path dir;

    @Test
    void base_runDirAndLogBesideIt_oneArtifactsDirFindsBoth_restartRecordsNothingTwice() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path key = dir.resolve("k.key");
        Path out = Files.createDirectories(dir.resolve("out"));
        Path run = Files.createDirectories(out.resolve("run1"));
        Path cp = run.resolve("step-10.safetensors");
        double[] v = new double[256];
        for (int i = 0; i < v.length; i++) v[i] = Math.cos(i) * 0.02;
        new SafetensorsWriter().tensor("w", Dtype.F32, new long[] {16, 16}, v).write(cp);
        Path log = Files.createDirectories(out.resolve("logs")).resolve("train.jsonl");
        Files.writeString(log, "{\"step\": 0, \"loss\": 4.1}\n{\"step\": 10, \"loss\": 3.9}\n");
        Path db = Files.createDirectories(dir.resolve("elsewhere")).resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/w").code());

        // RUN_DIR must be inside --base.
        CliRun outside = CliRun.run("watch", db, run, "--key", key, "--base", dir.resolve("elsewhere"), "--polls", "1", "--interval", "0.01");
        assertEquals(2, outside.code(), outside.toString());

        CliRun w = CliRun.run("watch", db, run, "--key", key, "--base", out, "--log", log, "--polls", "3", "--interval", "0.05");
        assertEquals(0, w.code(), w.toString());
        assertEquals(List.of("logs/train.jsonl", "run1/step-10.safetensors"), names(db));
        // Started again with the same --base: the checkpoint and the log records are known, nothing is appended twice.
        CliRun again = CliRun.run("watch", db, run, "--key", key, "--base", out, "--log", log, "--polls", "3", "--interval", "0.05");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("0 entries appended"), again.toString());

        CliRun v1 = CliRun.run("verify", db, "--integrity-only", "--artifacts", out, "--key", dir.resolve("k.pub"));
        assertEquals(0, v1.code(), v1.toString());
        assertTrue(!v1.out().contains("ARTIFACT_MISSING"), v1.toString());
        // Both were re-read from the one folder: a changed byte in either is found (exit 1).
        byte[] b = Files.readAllBytes(cp);
        b[b.length - 1] ^= 1;
        Files.write(cp, b);
        assertEquals(1, CliRun.run("verify", db, "--integrity-only", "--artifacts", out, "--key", dir.resolve("k.pub")).code());
        b[b.length - 1] ^= 1;
        Files.write(cp, b);
        assertEquals(0, CliRun.run("verify", db, "--integrity-only", "--artifacts", out, "--key", dir.resolve("k.pub")).code());
        Files.writeString(log, "{\"step\": 0, \"loss\": 4.2}\n{\"step\": 10, \"loss\": 3.9}\n");
        assertEquals(1, CliRun.run("verify", db, "--integrity-only", "--artifacts", out, "--key", dir.resolve("k.pub")).code());
    }

    static List<String> names(Path db) {
        List<String> names = new ArrayList<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            l.forEachEntry(e -> {
                if (e.kind().equals(EntryKinds.CHECKPOINT)) {
                    names.addAll(CheckpointBodies.recordedFileNames((com.fasterxml.jackson.databind.node.ObjectNode) e.body().get("checkpoint")));
                }
                if (e.kind().equals(EntryKinds.METRICS)) names.add(e.body().path("source").asText());
            });
        }
        return names.stream().distinct().sorted().toList();
    }
}
