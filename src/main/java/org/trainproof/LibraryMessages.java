package org.trainproof;

import java.util.regex.Pattern;

/**
 * Removes the JSON library's switch names from a message shown to a user (issue 20 item 11): Jackson
 * appends hints such as {@code enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow} or
 * {@code (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)}, which name
 * parser settings a user cannot change and suggest the input would be accepted with them.
 */
public final class LibraryMessages {
    private static final Pattern ENABLE = Pattern.compile(":?\\s*\\(?enable `?[A-Za-z]*Feature\\.[A-Z_]+`? to allow\\)?");
    private static final Pattern SINCE = Pattern.compile("\\s*\\([^()]*Feature '[A-Z_]+'[^()]*\\)");
    private static final Pattern ANY = Pattern.compile("`?\\b[A-Za-z]*(?:Read|Write|Parser|Generator|Deserialization|Serialization|Mapper)Feature\\.[A-Z_]+`?|Feature '[A-Z_]+'");

    /** sqlite-jdbc's "[SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed (...)": the bracketed result-code name goes. */
    private static final Pattern SQLITE_CODE = Pattern.compile("\\[SQLITE_[A-Z_]+\\]\\s*");
    private static final Pattern SQLITE_NAME = Pattern.compile("\\bSQLITE_[A-Z_]+\\b");

    /** Jackson's "(bound as `com.fasterxml.jackson.databind.JsonNode`)": the Java type a value was read into. */
    private static final Pattern BOUND = Pattern.compile("\\s*\\(bound as `[^`]*`\\)");

    private LibraryMessages() {}

    public static String clean(String message) {
        if (message == null) return null;
        String s = ENABLE.matcher(message).replaceAll(" (not allowed in JSON)");
        s = SINCE.matcher(s).replaceAll(" (comments are not allowed in JSON)");
        s = BOUND.matcher(s).replaceAll("");
        s = SQLITE_CODE.matcher(s).replaceAll("");
        s = SQLITE_NAME.matcher(s).replaceAll("database error");
        return ANY.matcher(s).replaceAll("a JSON extension");
    }
}
