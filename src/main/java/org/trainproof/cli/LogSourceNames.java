package org.trainproof.cli;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * How {@code record --log} names a log source in the ledger (issue 20 item 7). A file inside the
 * ledger's folder is named by its normalised path relative to that folder ({@code run/train.jsonl},
 * however it was spelled on the command line: {@code ./run/x/../train.jsonl}, an absolute path, or
 * {@code ../here/run/train.jsonl} from a sibling folder), so one file is one source. A file outside
 * the ledger's folder is named by its absolute normalised path, never by a {@code ../} path that
 * {@code verify --artifacts DIR} could not resolve under DIR (it looks such a file up by its name).
 */
final class LogSourceNames {
    private LogSourceNames() {}

    /** The absolute normalised form of a {@code --log} argument, the form the readers name files by. */
    static Path input(Path given) {
        return given.toAbsolutePath().normalize();
    }

    /** Maps a file name as a reader reports it (absolute, from {@link #input}) to the stored source name. */
    static Function<String, String> naming(Path ledger) {
        Path base = ledger.toAbsolutePath().normalize().getParent();
        return s -> {
            Path p = Path.of(s).toAbsolutePath().normalize();
            Path named = base != null && p.startsWith(base) ? base.relativize(p) : p;
            return named.toString().replace('\\', '/');
        };
    }
}
