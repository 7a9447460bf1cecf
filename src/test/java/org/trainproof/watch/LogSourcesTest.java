package org.trainproof.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogSourcesTest {
    static final Path RUN = Path.of("/runs/hf").toAbsolutePath();
    static final Path STATE = RUN.resolve("trainer_state.json");
    static final Path CONSOLE = RUN.resolve("train.log");
    static final Path TB = RUN.resolve("runs/Dec05/events.out.tfevents.1.host");
    static final Path DEDICATED = RUN.resolve("trainproof-log.jsonl");

    @Test
    void select_dedicatedLogPresent_onlyIt() {
        LogSources s = new LogSources(RUN, List.of());
        assertEquals(List.of(DEDICATED), s.select(List.of(CONSOLE), List.of(STATE, TB, DEDICATED)));
    }

    @Test
    void select_explicitLogs_onlyThem_neverMergedWithTrainerState() {
        LogSources s = new LogSources(RUN, List.of());
        assertEquals(List.of(CONSOLE), s.select(List.of(CONSOLE), List.of(STATE, TB, CONSOLE)));
    }

    @Test
    void select_nothingGiven_everythingFoundMinusExcluded() {
        LogSources s = new LogSources(RUN, List.of("runs/**", "*.log"));
        assertEquals(List.of(STATE), s.select(List.of(), List.of(STATE, TB, CONSOLE)));
    }

    @Test
    void excluded_globRelativeToRunDirOrFileName() {
        LogSources s = new LogSources(RUN, List.of("checkpoint-*", "*.txt"));
        assertTrue(s.excluded(Path.of("checkpoint-500")));
        assertTrue(s.excluded(RUN.resolve("logs/notes.txt")));
        assertFalse(s.excluded(Path.of("logs/train.jsonl")));
        assertFalse(new LogSources(RUN, List.of()).excluded(STATE));
    }
}
