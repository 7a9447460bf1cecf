package org.trainproof.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.trainproof.checkpoint.CheckpointManifest;
import org.trainproof.checkpoint.CoordinateSample;
import org.trainproof.checkpoint.TensorManifest;
import org.trainproof.verdict.CheckStatus;

class RunClaimsTest {
    private static RunClaims parse(String json) throws Exception {
        return RunClaims.parse(new ObjectMapper().readTree(json));
    }

    @Test
    void parse_allFixedFieldNames() throws Exception {
        RunClaims c = parse("""
                {"vocab_size": 50257, "loss_units": "nats",
                 "optimizer": {"name": "adamw", "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.1, "no_decay": ["*.bias", "ln*"]},
                 "lr_schedule": {"shape": "cosine", "peak_lr": 6e-4, "min_lr": 6e-5, "warmup_steps": 700, "total_steps": 19073},
                 "grad_clip": 1.0, "batch_size": 512, "seq_len": 1024,
                 "init": [{"pattern": "*.weight", "distribution": "normal", "std": 0.02}],
                 "seed": 1, "data": {"name": "fineweb"},
                 "hardware": {"accelerator": "H100", "count": 8, "precision": "bf16"},
                 "claimed": {"tokens": 1e10, "wall_time_s": 3600, "from_scratch": true}}""");
        assertEquals(50257, c.vocabSize().getAsLong());
        assertArrayEquals(new double[] {0.9, 0.95}, c.betas().orElseThrow(), 0);
        assertEquals(0.1, c.weightDecay().getAsDouble(), 0);
        assertFalse(c.decays("h.0.attn.bias"));
        assertFalse(c.decays("ln_f.weight"));
        assertTrue(c.decays("h.0.mlp.c_fc.weight"));
        assertEquals(700L, c.lrSchedule().orElseThrow().warmupSteps());
        assertEquals(8, c.acceleratorCount().getAsLong());
        assertEquals(1e10, c.claimedTokens().getAsDouble(), 0);
        assertTrue(c.fromScratch().orElseThrow());
        assertEquals("normal", c.initFor("h.3.mlp.c_proj.weight").orElseThrow().distribution());
        assertTrue(c.initFor("h.3.bias").isEmpty());
        assertTrue(c.problems().isEmpty());
    }

    @Test
    void parse_wrongTypesBecomeMissingWithProblems() throws Exception {
        RunClaims c = parse("{\"vocab_size\": \"big\", \"optimizer\": {\"betas\": [0.9]}, \"batch_size\": 1.5}");
        assertTrue(c.vocabSize().isEmpty());
        assertTrue(c.betas().isEmpty());
        assertTrue(c.batchSize().isEmpty());
        assertEquals(3, c.problems().size());
        assertTrue(RunClaims.parse(null).vocabSize().isEmpty());
    }

    @Test
    void lrSchedule_cosineWithWarmup_andConservativeFallback() throws Exception {
        RunClaims c = parse("{\"lr_schedule\": {\"shape\": \"cosine\", \"peak_lr\": 0.01, \"min_lr\": 0.001, \"warmup_steps\": 20, \"total_steps\": 200}}");
        LrScheduleModel m = LrScheduleModel.of(c).model();
        // Fixture trainer log (fixtures/scratch/log.jsonl): lr 0.0005 at step 0, 0.001 at step 1 (warmup (t+1)/20).
        assertEquals(0.0005, m.at(0), 1e-15);
        assertEquals(0.001, m.at(1), 1e-15);
        assertEquals(0.01, m.at(20), 1e-15);
        assertEquals(0.001 + 0.5 * 0.009 * (1 + Math.cos(Math.PI * 0.5)), m.at(110), 1e-15);
        assertEquals(0.001, m.at(500), 1e-15);
        assertEquals(m.at(3) + m.at(4), m.sum(3, 5), 1e-18);
        LrScheduleModel.Result r = LrScheduleModel.of(parse("{\"lr_schedule\": {\"shape\": \"cosine\", \"peak_lr\": 0.01}}"));
        assertEquals(0.01, r.model().at(150), 0);
        assertTrue(r.note().contains("lr_schedule.total_steps"));
        assertEquals("lr_schedule.peak_lr", LrScheduleModel.of(parse("{\"lr_schedule\": {}}")).missing());
    }

    @Test
    void malformedStoredSample_makesOneCheckInconclusiveNotACrash() {
        TensorManifest good = new TensorManifest("w", "F32", List.of(4L), "f", 0, 16, "00".repeat(32), null, null,
                CoordinateSample.of(new double[] {1, 2, 3, 4}), null);
        TensorManifest broken = new TensorManifest("w", "F32", List.of(4L), "f", 0, 16, "00".repeat(32), null, null,
                new CoordinateSample(CoordinateSample.SCHEME, 4, "AAAA"), null);
        Trajectory t = Trajectory.fromLedger(List.of(
                new StepCheckpoint(0, new CheckpointManifest("safetensors", "00", List.of(), List.of(good))),
                new StepCheckpoint(10, new CheckpointManifest("safetensors", "00", List.of(), List.of(broken)))));
        var v = ConsistencyAnalysis.standard().run(new AnalysisInput(RunClaims.parse(new ObjectMapper().createObjectNode()
                .put("vocab_size", 10)), Map.of(), t, List.of(), null));
        var w4 = v.checks().stream().filter(c -> c.id().equals("W4")).findFirst().orElseThrow();
        assertEquals(CheckStatus.INCONCLUSIVE, w4.status());
        assertNull(w4.pValue());
    }
}
