package org.trainproof.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.checkpoint.Dtype;
import org.trainproof.checkpoint.SafetensorsWriter;

class CheckpointCandidatesTest {
    @TempDir
    Path run;

    private static void weights(Path p, String step) throws Exception {
        SafetensorsWriter w = new SafetensorsWriter().tensor("w", Dtype.F32, new long[] {2, 2}, new double[] {1, 2, 3, 4});
        if (step != null) w.metadata("step", step);
        w.write(p);
    }

    @Test
    void find_namesAndMetadata_stepsInOrder() throws Exception {
        Files.createDirectories(run.resolve("checkpoint-500"));
        Files.createDirectories(run.resolve("iter_0000100"));
        Files.createDirectories(run.resolve("global_step300"));
        Files.createDirectories(run.resolve("tmp-checkpoint-600")); // HF's staging name: not a checkpoint yet
        Files.createDirectories(run.resolve("logs"));
        weights(run.resolve("step-200.safetensors"), null);
        weights(run.resolve("model_step1000.pt"), null);
        weights(run.resolve("final.safetensors"), "700");
        weights(run.resolve("nostep.safetensors"), null);
        Files.write(run.resolve("step-800.safetensors.tmp"), new byte[10]);
        List<String> got = CheckpointCandidates.find(run).stream().map(c -> c.step() + ":" + c.name()).toList();
        assertEquals(List.of("100:iter_0000100", "200:step-200.safetensors", "300:global_step300", "500:checkpoint-500",
                "700:final.safetensors", "1000:model_step1000.pt"), got);
    }

    @Test
    void metadataStep_garbageOrHugeHeader_empty() throws Exception {
        Path f = run.resolve("x.safetensors");
        Files.write(f, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, '{'});
        assertEquals(Optional.empty(), CheckpointCandidates.metadataStep(f));
        Files.write(f, new byte[3]);
        assertEquals(Optional.empty(), CheckpointCandidates.metadataStep(f));
    }

    @Test
    void incomplete_tempFileMissingIndexMissingShardMegatronLatest() throws Exception {
        Path d = Files.createDirectories(run.resolve("checkpoint-10"));
        CheckpointCandidates.Candidate c = new CheckpointCandidates.Candidate(d, "checkpoint-10", 10);
        assertNotNull(CheckpointCandidates.incomplete(c, CheckpointCandidates.snapshot(c), run), "empty directory");
        weights(d.resolve("model-00001-of-00002.safetensors"), null);
        assertNotNull(CheckpointCandidates.incomplete(c, CheckpointCandidates.snapshot(c), run), "shard without index");
        Files.writeString(d.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\","
                + " \"b\": \"model-00002-of-00002.safetensors\"}}");
        assertNotNull(CheckpointCandidates.incomplete(c, CheckpointCandidates.snapshot(c), run), "index names a missing shard");
        weights(d.resolve("model-00002-of-00002.safetensors"), null);
        assertNull(CheckpointCandidates.incomplete(c, CheckpointCandidates.snapshot(c), run));
        Files.write(d.resolve("optimizer.pt.partial"), new byte[4]);
        assertNotNull(CheckpointCandidates.incomplete(c, CheckpointCandidates.snapshot(c), run), "temp file");

        Path it = Files.createDirectories(run.resolve("iter_0000200"));
        Files.write(it.resolve("model_optim_rng.pt"), new byte[4]);
        CheckpointCandidates.Candidate m = new CheckpointCandidates.Candidate(it, "iter_0000200", 200);
        assertNull(CheckpointCandidates.incomplete(m, CheckpointCandidates.snapshot(m), run), "no tracker file: size rule only");
        Files.writeString(run.resolve("latest_checkpointed_iteration.txt"), "100\n");
        assertNotNull(CheckpointCandidates.incomplete(m, CheckpointCandidates.snapshot(m), run), "tracker behind");
        Files.writeString(run.resolve("latest_checkpointed_iteration.txt"), "200\n");
        assertNull(CheckpointCandidates.incomplete(m, CheckpointCandidates.snapshot(m), run));
    }
}
