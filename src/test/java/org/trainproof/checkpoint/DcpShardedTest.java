package org.trainproof.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;

/**
 * A DCP checkpoint saved by two real gloo ranks (row-sharded F32, column-sharded BF16, a replicated
 * I64): the whole-checkpoint digests equal torch's digests of the full tensors (chunks reassembled in
 * global C order), and each rank's {@code .distcp} file, opened alone, gives its chunks' digests.
 */
class DcpShardedTest {
    @TempDir
    static Path dir;

    static JsonNode expected;

    @BeforeAll
    static void write() throws Exception {
        Py.assumeTorch();
        Path script = Path.of("src/test/resources/formats/write_dcp_sharded.py").toAbsolutePath();
        Py.runScript(dir, script, dir.toString());
        expected = new ObjectMapper().readTree(dir.resolve("expected_dcp2.json").toFile());
    }

    @Test
    void wholeCheckpoint_chunksReassembled_digestsOfTheFullTensors() {
        CheckpointManifest m = Manifests.of(dir.resolve("dcp2"));
        assertEquals("dcp", m.format());
        assertEquals(3, m.files().size()); // .metadata and two .distcp
        for (String name : List.of("rows", "cols", "rep")) {
            assertEquals(expected.get(name).asText(), m.tensor(name).orElseThrow().sha256(), name);
        }
        assertEquals(List.of(4L, 8L), m.tensor("cols").orElseThrow().shape());
        assertEquals("BF16", m.tensor("cols").orElseThrow().dtype());
    }

    @Test
    void perRankShard_chunkDigests_andTheTwoRanksCoverEveryChunk() {
        Set<String> seen = new HashSet<>();
        for (String f : List.of("__0_0.distcp", "__1_0.distcp")) {
            try (CheckpointSource s = DcpReader.openShard(dir.resolve("dcp2"), f)) {
                CheckpointManifest m = Manifests.of(s, ManifestOptions.defaults(), null);
                for (TensorManifest t : m.tensors()) {
                    if (t.name().startsWith("rep")) continue;
                    assertEquals(expected.get(t.name()).asText(), t.sha256(), f + " " + t.name());
                    assertTrue(seen.add(t.name()), "chunk in two files: " + t.name());
                }
            }
        }
        assertEquals(Set.of("rows@0,0", "rows@3,0", "cols@0,0", "cols@0,4"), seen);
    }

    @Test
    void missingDistcpFile_badInputNamingIt() throws Exception {
        Path copy = Files.createDirectory(dir.resolve("broken"));
        for (String f : List.of(".metadata", "__0_0.distcp")) Files.copy(dir.resolve("dcp2").resolve(f), copy.resolve(f));
        TrainproofException e = assertThrows(TrainproofException.class, () -> Manifests.of(copy));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("__1_0.distcp"), e.getMessage());
    }
}
