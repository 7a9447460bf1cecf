package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LineScanner#backward} gives the lines a forward scan gives before a line start, last first. */
class LineScannerBackwardTest {
    @TempDir
    Path dir;

    @Test
    void backwardFromEveryLineStart_equalsForwardLinesReversed() throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        for (int round = 0; round < 12; round++) {
            StringBuilder b = new StringBuilder(round % 3 == 0 ? "\uFEFF" : "");
            int lines = 1 + rng.nextInt(40);
            for (int k = 0; k < lines; k++) {
                int kind = rng.nextInt(6);
                // empty lines, \r\n endings, multi-byte text and lines longer than the 64 KiB blocks
                String body = kind == 0 ? "" : kind == 1 ? "x".repeat(70_000 + rng.nextInt(100_000)) : kind == 2 ? "é€ line " + k : "line " + k + " " + "y".repeat(rng.nextInt(300));
                b.append(body).append(rng.nextInt(4) == 0 ? "\r\n" : "\n");
            }
            Path p = dir.resolve("f" + round + ".txt");
            byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
            Files.write(p, bytes);
            List<long[]> forward = new ArrayList<>();
            List<String> text = new ArrayList<>();
            LineScanner.scan(p, (buf, off, len, lineNo, start, end, terminated) -> {
                forward.add(new long[] {start, end});
                text.add(new String(buf, off, len, StandardCharsets.UTF_8));
            });
            for (int upTo = 0; upTo <= forward.size(); upTo++) {
                long from = upTo == 0 ? 0 : forward.get(upTo - 1)[1];
                List<String> expected = new ArrayList<>(text.subList(0, upTo));
                Collections.reverse(expected);
                List<String> got = new ArrayList<>();
                LineScanner.backward(p, from, (buf, off, len) -> got.add(new String(buf, off, len, StandardCharsets.UTF_8)));
                assertEquals(expected, got, "round " + round + " from byte " + from);
                // stopping early: only the last line
                List<String> one = new ArrayList<>();
                LineScanner.backward(p, from, (buf, off, len) -> {
                    one.add(new String(buf, off, len, StandardCharsets.UTF_8));
                    return false;
                });
                assertEquals(expected.isEmpty() ? List.of() : expected.subList(0, 1), one);
            }
        }
    }
}
