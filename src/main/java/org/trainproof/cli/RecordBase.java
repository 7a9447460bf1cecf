package org.trainproof.cli;

import java.nio.file.Path;

/** {@code record --base DIR}: the name a log is stored under (relative to DIR when inside it, '/' separators). */
final class RecordBase {
    private RecordBase() {}

    static String logName(Path base, String given) {
        if (base != null) {
            Path b = base.toAbsolutePath().normalize();
            Path p = Path.of(given).toAbsolutePath().normalize();
            if (p.startsWith(b) && !p.equals(b)) return b.relativize(p).toString().replace('\\', '/');
        }
        return given.replace('\\', '/');
    }
}
