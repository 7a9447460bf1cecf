package org.trainproof.cli;

import java.nio.file.Path;

/** {@code record --base DIR}: the name a log is stored under (relative to DIR when inside it, '/' separators). */
final class RecordBase {
    private RecordBase() {}

    /**
     * How {@code record} names a log source: relative to {@code --base} when given and the file is inside
     * it, else as {@link LogSourceNames#naming} does (relative to the ledger's folder, or absolute).
     */
    static java.util.function.Function<String, String> naming(Path base, Path ledger) {
        java.util.function.Function<String, String> byLedger = LogSourceNames.naming(ledger);
        return s -> {
            if (base != null) {
                Path b = base.toAbsolutePath().normalize();
                Path p = Path.of(s).toAbsolutePath().normalize();
                if (p.startsWith(b) && !p.equals(b)) return b.relativize(p).toString().replace('\\', '/');
            }
            return byLedger.apply(s);
        };
    }
}
