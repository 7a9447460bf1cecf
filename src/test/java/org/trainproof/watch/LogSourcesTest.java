package org.trainproof.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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
    void select_nothingGiven_oneFoundLogMinusExcluded() {
        LogSources s = new LogSources(RUN, List.of("runs/**", "*.log"));
        assertEquals(List.of(STATE), s.select(List.of(), List.of(STATE, TB, CONSOLE)));
    }

    @Test
    void select_nothingGiven_trainerStateNeverMergedWithAnotherLog() {
        LogSources s = new LogSources(RUN, List.of());
        Path jsonl = RUN.resolve("logs/train.jsonl");
        // Append-only logs first (JSONL, then TensorBoard, then the console log); trainer_state.json last.
        assertEquals(List.of(jsonl), s.select(List.of(), List.of(STATE, TB, CONSOLE, jsonl)));
        assertEquals(List.of(TB), s.select(List.of(), List.of(STATE, CONSOLE, TB)));
        assertEquals(List.of(CONSOLE), s.select(List.of(), List.of(STATE, CONSOLE)));
        // Two of one kind: the shallower, then the first by name.
        assertEquals(List.of(RUN.resolve("a.jsonl")), s.select(List.of(), List.of(jsonl, RUN.resolve("b.jsonl"), RUN.resolve("a.jsonl"))));
    }

    @Test
    void select_nothingGiven_keepsWhatTheLedgerAlreadyRecords() {
        LogSources s = new LogSources(RUN, List.of());
        Path jsonl = RUN.resolve("logs/train.jsonl");
        // A restarted watcher whose ledger holds trainer_state.json keeps it, even when a preferred log appears later.
        assertEquals(List.of(STATE), s.select(List.of(), List.of(STATE, jsonl), Set.of("trainer_state.json")));
        // A recorded source that is no longer found does not count.
        assertEquals(List.of(jsonl), s.select(List.of(), List.of(STATE, jsonl), Set.of("gone.jsonl")));
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
