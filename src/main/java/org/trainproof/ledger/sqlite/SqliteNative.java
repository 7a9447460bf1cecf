package org.trainproof.ledger.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;
import java.util.zip.CRC32;

/**
 * Loads sqlite-jdbc's native library from a per-user cache, extracted once, instead of letting sqlite-jdbc
 * extract it into {@code java.io.tmpdir} on every run: that costs a {@code uname} process, a listing of
 * the temporary folder, a random UUID (SecureRandom) and a 1 MB copy and compare — ≈ 70–100 ms of the
 * ≈ 0.3 s a {@code head} or {@code record} takes (docs/performance.md "Startup").
 *
 * <p>The cache is {@code $TRAINPROOF_CACHE_DIR}, else {@code $XDG_CACHE_HOME/trainproof}, else
 * {@code ~/.cache/trainproof}, folder {@code sqlite-native}, created mode 0700. It holds the library
 * under a name with its SHA-256 prefix and an index file per sqlite-jdbc version, OS and architecture
 * recording that name, its size, CRC-32 and SHA-256, all taken from the jar's bytes when extracted.
 * Every run re-reads the library and checks size and CRC-32 against the index before handing it to
 * sqlite-jdbc ({@code org.sqlite.lib.path}/{@code org.sqlite.lib.name}); a mismatch (a torn or altered
 * file) re-extracts it. The check detects corruption, not an attacker who can write the folder — such
 * a user can equally rewrite the jar — so the folder must belong to this user and not be writable by
 * group or others, else the cache is not used.
 *
 * <p>Files are written under private temporary names and renamed into place, so concurrent first
 * runs each install a whole, identical file. When the folder cannot be created or written (read-only
 * home, full disk), the library does not load from it (noexec mount), or anything here fails, this does
 * nothing and sqlite-jdbc extracts as before.
 * {@code TRAINPROOF_SQLITE_CACHE=0}, or an {@code org.sqlite.lib.path} set by the user, turns it off.
 */
public final class SqliteNative {
    private SqliteNative() {}

    private static boolean prepared;

    /** Points sqlite-jdbc at the cached library (extracting it first if needed); once per JVM, before the first connection. */
    public static synchronized void prepare() {
        if (prepared) return;
        prepared = true;
        if (System.getProperty("org.sqlite.lib.path") != null || "0".equals(System.getenv("TRAINPROOF_SQLITE_CACHE"))) return;
        Path dir = defaultDir();
        if (dir == null) return;
        try {
            Path lib = install(dir);
            if (lib == null) return;
            // sqlite-jdbc's loader is synchronized on its class: holding that lock, a library it already loaded
            // is seen and none is loaded meanwhile. Two copies of SQLite in one process crash it (a JNI method
            // first called after the second load binds to either copy, and runs on the other's handles:
            // SIGSEGV in column_int, seen when a raw connection came first); so where sqlite-jdbc has loaded
            // its own (a host application's connection before trainproof's), this leaves it alone.
            synchronized (org.sqlite.SQLiteJDBCLoader.class) {
                Boolean loaded = sqliteJdbcLoaded();
                if (Boolean.TRUE.equals(loaded)) return;
                // Loaded here first, so a folder the system will not map code from (a noexec home) falls back to
                // sqlite-jdbc's own extraction into java.io.tmpdir instead of failing; its own System.load of the
                // same file in the same class loader is then a no-op. Where it cannot tell (null), no probe:
                // sqlite-jdbc loads the cached file itself, or falls back to its extraction.
                if (loaded != null) System.load(lib.toAbsolutePath().toString());
                use(lib);
            }
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            // Fall back to sqlite-jdbc's own extraction into java.io.tmpdir.
        }
    }

    /**
     * Whether sqlite-jdbc has loaded its native library in this JVM (its loader's private flag, read by
     * reflection); null when this sqlite-jdbc has no such flag.
     */
    static Boolean sqliteJdbcLoaded() {
        try {
            java.lang.reflect.Field f = org.sqlite.SQLiteJDBCLoader.class.getDeclaredField("extracted");
            f.setAccessible(true);
            return f.getBoolean(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Does, ahead of the first connection, the one-time work every JVM's first connection does: {@link
     * #prepare}, sqlite-jdbc's {@code initialize} (its version resource, its temporary-folder cleanup, the
     * library load) and a first {@code SQLiteConfig} (its date format: the time zone and the locale's date
     * data). ≈ 60 ms of a fresh {@code record} on the 2-core EPYC host, which {@code Main} runs on a
     * second thread while the first parses the command line. Both {@code prepare} and {@code initialize}
     * are synchronized, so a connection that comes first or meanwhile waits and sees their result. A
     * failure here is dropped: the connection then meets it again and reports it.
     */
    public static void warmUp() {
        try {
            prepare();
            org.sqlite.SQLiteJDBCLoader.initialize();
            new org.sqlite.SQLiteConfig();
        } catch (Exception | LinkageError e) {
            // the first connection does the same work and reports what fails
        }
    }

    static void use(Path lib) {
        System.setProperty("org.sqlite.lib.path", lib.getParent().toString());
        System.setProperty("org.sqlite.lib.name", lib.getFileName().toString());
        // sqlite-jdbc lists its temporary folder at start to delete stale "sqlite-<version>-*" copies;
        // point it at the cache (a few files; our names do not start with "sqlite-") instead of /tmp.
        System.setProperty("org.sqlite.tmpdir", lib.getParent().toString());
    }

    /** The cache folder, or null when no home or cache variable is set. */
    static Path defaultDir() {
        String base = System.getenv("TRAINPROOF_CACHE_DIR");
        if (base == null || base.isEmpty()) {
            String xdg = System.getenv("XDG_CACHE_HOME");
            if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
                base = Path.of(xdg, "trainproof").toString();
            } else {
                String home = System.getProperty("user.home");
                if (home == null || home.isEmpty() || home.equals("?")) return null;
                base = Path.of(home, ".cache", "trainproof").toString();
            }
        }
        return Path.of(base, "sqlite-native");
    }

    /** The key of this platform's index file: sqlite-jdbc version, OS and architecture as Java names them. */
    static String indexName() {
        // getVersion() is read once per JVM (sqlite-jdbc reads it anyway); no regex here: a cold JVM
        // compiles a Pattern in ≈ 5 ms.
        return "index-" + fileNameSafe(org.sqlite.SQLiteJDBCLoader.getVersion() + "-" + System.getProperty("os.name") + "-"
                + System.getProperty("os.arch")) + ".properties";
    }

    /** {@code s} with every character but ASCII letters, digits, '.', '_' and '-' replaced by '_'. */
    static String fileNameSafe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            b.append(ok ? c : '_');
        }
        return b.toString();
    }

    /**
     * The verified library in {@code dir}, extracting it from the jar when absent or damaged; null when
     * the folder is unsafe or unusable, or the jar has no library for this platform.
     */
    static Path install(Path dir) throws IOException {
        if (!safeDir(dir)) return null;
        Path index = dir.resolve(indexName());
        Path lib = verified(dir, index);
        if (lib != null) return lib;
        return extract(dir, index);
    }

    /** The library the index names, if it is there with the recorded size and CRC-32; else null. */
    static Path verified(Path dir, Path index) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(index)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        String name = p.getProperty("file");
        String size = p.getProperty("size");
        String crc = p.getProperty("crc32");
        if (name == null || size == null || crc == null || !name.startsWith("libsqlitejdbc-") || !name.equals(fileNameSafe(name))
                || name.startsWith(".")) return null;
        Path lib = dir.resolve(name);
        try {
            if (!Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS)) return null;
            byte[] bytes = Files.readAllBytes(lib);
            if (bytes.length != Long.parseLong(size) || !crc32(bytes).equals(crc)) return null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return lib;
    }

    private static Path extract(Path dir, Path index) throws IOException {
        String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/" + org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        byte[] bytes;
        try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) return null;
            bytes = in.readAllBytes();
        }
        String sha = sha256(bytes);
        String base = org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        int dot = base.lastIndexOf('.');
        String name = fileNameSafe((dot > 0 ? base.substring(0, dot) : base) + "-" + org.sqlite.SQLiteJDBCLoader.getVersion()
                + "-" + sha.substring(0, 16) + (dot > 0 ? base.substring(dot) : ""));
        Path lib = dir.resolve(name);
        writeAtomically(dir, lib, bytes);
        String idx = "# sqlite-jdbc native library extracted by trainproof from " + resource + "\n"
                + "file=" + name + "\nsize=" + bytes.length + "\ncrc32=" + crc32(bytes) + "\nsha256=" + sha + "\n";
        writeAtomically(dir, index, idx.getBytes(StandardCharsets.UTF_8));
        return verified(dir, index);
    }

    /** Writes {@code bytes} to a private temporary file in {@code dir}, forces it to disk, and renames it to {@code target}. */
    private static void writeAtomically(Path dir, Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(dir, ".tmp-", ".part");
        try {
            Files.write(tmp, bytes, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates {@code dir} (mode 0700) when absent; true when it is a directory this user owns and no one
     * else can write, and this user can write. On file systems without POSIX attributes: when writable.
     */
    static boolean safeDir(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir.getParent());
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // a concurrent first run made it
                }
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !Files.isWritable(dir)) return false;
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (UnsupportedOperationException e) {
                return true;
            }
            if (!ownedByMe(dir, a)) return false;
            return !a.permissions().contains(PosixFilePermission.GROUP_WRITE) && !a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /**
     * Whether this process's user owns {@code dir}. On Linux by numeric uid against /proc/self's (no
     * user-database lookup, ≈ 5 ms cold); elsewhere by the owner's name against {@code user.name}.
     */
    private static boolean ownedByMe(Path dir, PosixFileAttributes a) throws IOException {
        Path self = Path.of("/proc/self");
        try {
            if (Files.isDirectory(self)) return Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS).equals(Files.getAttribute(self, "unix:uid"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no "unix" attribute view: by name below
        }
        String me = System.getProperty("user.name");
        return me != null && a.owner().getName().equals(me);
    }

    static String crc32(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b, 0, b.length);
        return Long.toHexString(c.getValue());
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
