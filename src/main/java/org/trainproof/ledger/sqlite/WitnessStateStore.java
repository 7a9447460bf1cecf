package org.trainproof.ledger.sqlite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.sqlite.SQLiteConfig;
import org.trainproof.TrainproofException;

/**
 * A witness's own state (not a ledger): per log origin, the latest checkpoint it cosigned. SQLite,
 * WAL, synchronous=FULL; a trigger refuses any update that lowers a size and any delete, so even a
 * buggy caller cannot roll a witness back. Check-and-persist is one {@code BEGIN IMMEDIATE}
 * transaction ({@link #begin} … {@link #commit}), as C2SP tlog-witness requires.
 */
public final class WitnessStateStore implements AutoCloseable {
    public static final int APPLICATION_ID = 0x74707777; // "tpww"
    private static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS witness_state(origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL,"
                + " note BLOB NOT NULL) STRICT",
        "CREATE TRIGGER IF NOT EXISTS witness_state_monotonic BEFORE UPDATE ON witness_state WHEN NEW.size < OLD.size"
                + " BEGIN SELECT RAISE(ABORT, 'witness state: size may not decrease'); END",
        "CREATE TRIGGER IF NOT EXISTS witness_state_no_delete BEFORE DELETE ON witness_state"
                + " BEGIN SELECT RAISE(ABORT, 'witness state: DELETE refused'); END",
    };

    private final Path path;
    private final Connection conn;

    private WitnessStateStore(Path path, Connection conn) {
        this.path = path;
        this.conn = conn;
    }

    /** Opens the state file, creating it (and its schema) when absent. */
    public static WitnessStateStore open(Path path) {
        boolean fresh = !Files.exists(path);
        SqliteNative.prepare();
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        cfg.setBusyTimeout(SqliteStore.BUSY_TIMEOUT_MS);
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        if (fresh) cfg.setApplicationId(APPLICATION_ID);
        try {
            Connection c = cfg.createConnection("jdbc:sqlite:" + path.toAbsolutePath());
            WitnessStateStore s = new WitnessStateStore(path, c);
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("PRAGMA application_id")) {
                    int app = rs.next() ? rs.getInt(1) : 0;
                    if (app != APPLICATION_ID) {
                        c.close();
                        throw TrainproofException.badInput(path, "not a trainproof witness state file");
                    }
                }
                for (String d : DDL) st.execute(d);
            }
            return s;
        } catch (SQLException e) {
            throw SqliteStore.translateStatic(path, e, "cannot open the witness state");
        }
    }

    /** The latest cosigned size and root for one origin. Root is 32 bytes. */
    public record State(long size, byte[] root) {}

    public void begin() {
        exec("BEGIN IMMEDIATE");
    }

    public void commit() {
        exec("COMMIT");
    }

    public void rollbackQuietly() {
        try (Statement st = conn.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // Nothing committed.
        }
    }

    public Optional<State> get(String origin) {
        try (PreparedStatement ps = conn.prepareStatement("SELECT size, root FROM witness_state WHERE origin = ?")) {
            ps.setString(1, origin);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new State(rs.getLong(1), rs.getBytes(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw SqliteStore.translateStatic(path, e, "cannot read the witness state");
        }
    }

    public void put(String origin, long size, byte[] root, byte[] note) {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO witness_state(origin, size, root, note) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note")) {
            ps.setString(1, origin);
            ps.setLong(2, size);
            ps.setBytes(3, root);
            ps.setBytes(4, note);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqliteStore.translateStatic(path, e, "cannot write the witness state");
        }
    }

    private void exec(String sql) {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw SqliteStore.translateStatic(path, e, sql);
        }
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException ignored) {
            // Closed after commit or rollback.
        }
    }
}
