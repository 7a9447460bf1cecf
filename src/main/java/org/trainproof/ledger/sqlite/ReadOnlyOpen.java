package org.trainproof.ledger.sqlite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;
import org.trainproof.TrainproofException;

/**
 * How read-only commands open a ledger without writing beside it. SQLite in WAL mode otherwise
 * creates {@code -shm} (and may leave {@code -wal}) next to the file, and fails in a read-only folder
 * (SQLITE_READONLY_DIRECTORY). A ledger at rest — no {@code -wal} or {@code -shm} beside it, which is
 * how a writer leaves it when it closes — is opened with SQLite's {@code immutable=1} URI parameter
 * (https://sqlite.org/uri.html#uriimmutable): no locks, no side files, nothing written. A ledger with
 * a {@code -wal} or {@code -shm} is being written (or its writer died): its newest entries may be only
 * in the {@code -wal}, which immutable mode would silently ignore, so it is opened read-only with the
 * normal locking instead, and in a read-only folder that is refused with a message saying why.
 */
final class ReadOnlyOpen {
    private ReadOnlyOpen() {}

    static boolean atRest(Path db) {
        return !Files.exists(side(db, "-wal")) && !Files.exists(side(db, "-shm"));
    }

    static Connection connect(Path db, SQLiteConfig cfg) {
        SqliteNative.prepare();
        if (!atRest(db)) {
            try {
                return cfg.createConnection("jdbc:sqlite:" + db.toAbsolutePath());
            } catch (SQLException e) {
                if (!Files.isWritable(db.toAbsolutePath().getParent())) {
                    throw TrainproofException.badInput(db, "has a -wal/-shm file beside it (a writer is running or did not close) and its folder is read-only,"
                            + " so its newest entries cannot be read safely; copy the ledger with its -wal and -shm files to a writable folder");
                }
                throw SqliteStore.translateStatic(db, e, "cannot open the ledger");
            }
        }
        cfg.setOpenMode(SQLiteOpenMode.OPEN_URI);
        // toUri() percent-encodes '?', '#', '%' and spaces, which SQLite's URI parser decodes.
        String uri = db.toAbsolutePath().toUri().toString() + "?immutable=1";
        try {
            return cfg.createConnection("jdbc:sqlite:" + uri);
        } catch (SQLException e) {
            throw SqliteStore.translateStatic(db, e, "cannot open the ledger");
        }
    }

    private static Path side(Path db, String suffix) {
        return db.resolveSibling(db.getFileName() + suffix);
    }
}
