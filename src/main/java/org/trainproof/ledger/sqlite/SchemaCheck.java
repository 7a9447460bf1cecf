package org.trainproof.ledger.sqlite;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The database distrusts its own schema: every table, index and trigger of a ledger file
 * ({@code sqlite_master}) and every {@code meta} key must be those its format version is made with,
 * so a dropped trigger or index, an extra table or an extra meta key is reported by the audit. The
 * expected schema is not a second copy: it is what {@link SqliteStore#createStatements} makes in an
 * in-memory database.
 *
 * <p>To add a table to the ledger: its DDL goes into {@code SqliteStore.SCHEMA}, its name into
 * {@code SqliteStore.TABLES} (append-only triggers) and, because ledgers made before do not have it,
 * into {@link #OPTIONAL_TABLES}. A meta key that not every ledger has goes into {@link #OPTIONAL_META_KEYS}.
 */
final class SchemaCheck {
    /** Tables a ledger may lack (added after format 2 shipped); when present, they and their indexes and triggers must match exactly. */
    static final Set<String> OPTIONAL_TABLES = Set.of("timestamp_tokens", "cosignatures");
    /** The DDL of the optional tables ({@link TrustedTimeStore#DDL}: added when a ledger is opened for writing). */
    static final List<String> OPTIONAL_DDL = TrustedTimeStore.DDL;
    /** Meta keys every ledger has. */
    static final Set<String> META_KEYS = Set.of("origin", "vkey", "created_by");
    /** Meta keys a ledger may have. */
    static final Set<String> OPTIONAL_META_KEYS = Set.of();

    private SchemaCheck() {}

    /** One sqlite_master row. */
    private record SchemaObject(String type, String name, String table, String sql) {
        String label() {
            return type + " " + name;
        }
    }

    static List<String> differences(Connection conn, int version) throws SQLException {
        TreeMap<String, SchemaObject> want = new TreeMap<>();
        try (Connection mem = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement st = mem.createStatement()) {
            for (String ddl : SqliteStore.createStatements(version)) st.execute(ddl);
            for (String ddl : OPTIONAL_DDL) st.execute(ddl);
            for (SchemaObject o : objects(mem)) want.put(o.label(), o);
        }
        TreeMap<String, SchemaObject> have = new TreeMap<>();
        for (SchemaObject o : objects(conn)) have.put(o.label(), o);
        Set<String> tablesPresent = new HashSet<>();
        for (SchemaObject o : have.values()) if (o.type.equals("table")) tablesPresent.add(o.name);
        List<String> out = new ArrayList<>();
        for (SchemaObject w : want.values()) {
            SchemaObject h = have.get(w.label());
            if (h == null) {
                if (!OPTIONAL_TABLES.contains(w.table) || tablesPresent.contains(w.table)) {
                    out.add(w.label() + " is missing (format " + version + " has it)");
                }
            } else if (!Objects.equals(h.table, w.table) || !Objects.equals(norm(h.sql), norm(w.sql))) {
                out.add(w.label() + " differs from format " + version + "'s: " + h.sql);
            }
        }
        for (SchemaObject h : have.values()) {
            if (!want.containsKey(h.label())) out.add(h.label() + " is not part of format " + version);
        }
        Set<String> keys = new TreeSet<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT key FROM meta")) {
            while (rs.next()) keys.add(rs.getString(1));
        } catch (SQLException e) {
            // A missing meta table is reported above.
        }
        if (have.containsKey("table meta")) {
            for (String k : META_KEYS) if (!keys.contains(k)) out.add("meta key '" + k + "' is missing");
            for (String k : keys) {
                if (!META_KEYS.contains(k) && !OPTIONAL_META_KEYS.contains(k)) out.add("meta key '" + k + "' is not part of format " + version);
            }
        }
        return out;
    }

    private static List<SchemaObject> objects(Connection c) throws SQLException {
        List<SchemaObject> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT type, name, tbl_name, sql FROM main.sqlite_master")) {
            while (rs.next()) out.add(new SchemaObject(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
        return out;
    }

    private static String norm(String sql) {
        return sql == null ? null : sql.strip();
    }
}
