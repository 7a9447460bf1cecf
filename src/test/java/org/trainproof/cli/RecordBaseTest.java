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

/** record --base DIR: checkpoint and log names relative to one folder, so one verify --artifacts DIR re-reads both. */
class RecordBaseTest {
    @TempDir
    Path dir;

    @Test
    void base_checkpointInSubfolderAndLogElsewhere_oneArtifactsDirFindsBoth() throws Exception {
        assertEquals(0, CliRun.run("keygen", "--name", "example.com/lab", "--out", dir.resolve("k")).code());
        Path key = dir.resolve("k.key");
        Path run = Files.createDirectories(dir.resolve("run"));
        Path cp = Files.createDirectories(run.resolve("ckpts")).resolve("step-10.safetensors");
        double[] v = new double[256];
        for (int i = 0; i < v.length; i++) v[i] = Math.sin(i) * 0.02;
        new SafetensorsWriter().tensor("w", Dtype.F32, new long[] {16, 16}, v).write(cp);
        Path log = Files.createDirectories(run.resolve("logs")).resolve("train.jsonl");
        Files.writeString(log, "{\"step\": 0, \"loss\": 4.1}\n{\"step\": 10, \"loss\": 3.9}\n");
        Path db = Files.createDirectories(dir.resolve("elsewhere")).resolve("ledger.db");
        assertEquals(0, CliRun.run("init", db, "--key", key, "--origin", "example.com/runs/b").code());

        CliRun r = CliRun.run("record", db, "--key", key, "--base", run, "--step", 10, "--checkpoint", cp, "--log", log);
        assertEquals(0, r.code(), r.toString());
        List<String> names = new ArrayList<>();
        try (Ledger l = Ledger.openReadOnly(db)) {
            l.forEachEntry(e -> {
                if (e.kind().equals(EntryKinds.CHECKPOINT)) {
                    names.addAll(CheckpointBodies.recordedFileNames((com.fasterxml.jackson.databind.node.ObjectNode) e.body().get("checkpoint")));
                }
                if (e.kind().equals(EntryKinds.METRICS)) names.add(e.body().path("source").asText());
            });
        }
        assertEquals(List.of("ckpts/step-10.safetensors", "logs/train.jsonl"), names.stream().sorted().toList());
        CliRun v1 = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", run);
        assertEquals(0, v1.code(), v1.toString());
        assertTrue(!v1.out().contains("ARTIFACT_MISSING"), v1.toString());

        // Both were re-read from the one folder: a changed byte in either is found (exit 1).
        byte[] b = Files.readAllBytes(cp);
        b[b.length - 1] ^= 1;
        Files.write(cp, b);
        CliRun v2 = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", run);
        assertEquals(1, v2.code(), v2.toString());
        b[b.length - 1] ^= 1;
        Files.write(cp, b);
        Files.writeString(log, "{\"step\": 0, \"loss\": 4.2}\n{\"step\": 10, \"loss\": 3.9}\n");
        CliRun v3 = CliRun.run("verify", db, "--key", dir.resolve("k.pub"), "--integrity-only", "--artifacts", run);
        assertEquals(1, v3.code(), v3.toString());
    }
}
