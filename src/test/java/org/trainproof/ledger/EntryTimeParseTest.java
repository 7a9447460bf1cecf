package org.trainproof.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Entries#parseTime} (the audit's fast path for entry times) must accept exactly what
 * {@link Instant#parse} accepts and give the same instant: the reference here is the JDK parser
 * itself, on edge cases and on random instants as {@code Entries.build} formats them.
 */
class EntryTimeParseTest {
    /** "ok:<instant>" or "rejected", as Instant.parse or parseTime answers. */
    private static String outcome(java.util.function.Function<String, Instant> parser, String text) {
        try {
            return "ok:" + parser.apply(text);
        } catch (DateTimeParseException e) {
            return "rejected";
        }
    }

    @Test
    void edgeCases_sameAsInstantParse() {
        List<String> cases = List.of(
                "2026-12-05T11:51:05Z", "2026-12-05T11:51:05.123Z", "2026-12-05T11:51:05.000Z", "2026-12-05T11:51:05.100Z",
                "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-04-30T23:59:59.999Z",
                "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-12-00T00:00:00Z", "2026-12-32T00:00:00Z",
                "2026-12-05T24:00:00Z", "2026-12-05T23:59:60Z", "2026-12-05T23:60:00Z", "2026-12-05T25:00:00Z",
                "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1970-01-01T00:00:00Z", "1900-02-29T00:00:00Z",
                "2000-02-29T12:00:00Z", "2026-12-05T11:51:05.1Z", "2026-12-05T11:51:05.12Z", "2026-12-05T11:51:05.123456Z",
                "2026-12-05T11:51:05.123456789Z", "2026-12-05t11:51:05Z", "2026-12-05T11:51:05.12aZ", "2026-12-05T11:51:5Z",
                "2026-1-05T11:51:05Z", "+2026-12-05T11:51:05Z", "-2026-12-05T11:51:05Z", "+12026-12-05T11:51:05Z",
                "2026-12-05 11:51:05Z", "2026-12-05T11-51-05Z", "２026-12-05T11:51:05Z", "2026-12-05T11:51:05,123Z",
                "2026-12-05T11:51:05.Z", "2026-12-05T11:51Z", "2026-12-05T11:51:05+00:00Z", "Z", "2026-12-05T1a:51:05Z",
                "2026/12/05T11:51:05Z", "2026-12-05T11:51:05.1234Z");
        for (String c : cases) {
            assertEquals(outcome(Instant::parse, c), outcome(Entries::parseTime, c), c);
        }
    }

    @Test
    void randomInstantsAsWritten_sameAsInstantParse() {
        Random r = new Random(19);
        long min = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
        long max = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            Instant t = Instant.ofEpochMilli(min + (long) (r.nextDouble() * (max - min))).truncatedTo(ChronoUnit.MILLIS);
            if (i % 4 == 0) t = t.truncatedTo(ChronoUnit.SECONDS); // no fraction: "...:05Z"
            texts.add(DateTimeFormatter.ISO_INSTANT.format(t));
        }
        for (String t : texts) {
            assertEquals(Instant.parse(t), Entries.parseTime(t), t);
        }
    }

    @Test
    void mutatedTexts_sameAcceptanceAsInstantParse() {
        Random r = new Random(20);
        String alphabet = "0123456789-:.TZtz+ 9";
        for (int i = 0; i < 100_000; i++) {
            char[] c = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(r.nextLong() % 253_402_300_799_000L)
                    .truncatedTo(ChronoUnit.MILLIS)).toCharArray();
            c[r.nextInt(c.length - 1)] = alphabet.charAt(r.nextInt(alphabet.length()));
            String s = new String(c);
            if (!s.endsWith("Z")) continue;
            assertEquals(outcome(Instant::parse, s), outcome(Entries::parseTime, s), s);
        }
    }
}
