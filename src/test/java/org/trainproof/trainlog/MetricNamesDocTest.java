package org.trainproof.trainlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/log-formats.md's "Metric names" table is exactly {@link MetricNames#table()}. */
class MetricNamesDocTest {
    @Test
    void readmeTable_equalsTheClassTable() throws IOException {
        String readme = Files.readString(Path.of("docs", "log-formats.md"));
        int at = readme.indexOf("### Metric names");
        assertEquals(true, at >= 0, "docs/log-formats.md has no '### Metric names' section");
        Map<String, String> doc = new LinkedHashMap<>();
        Pattern row = Pattern.compile("^\\| `([^`]+)` \\| (.*) \\|$", Pattern.MULTILINE);
        Pattern raw = Pattern.compile("`([^`]+)`");
        // The section ends at the next heading: other tables there are not this one.
        String section = readme.substring(at);
        int end = section.indexOf("\n#", 1);
        if (end > 0) section = section.substring(0, end);
        Matcher m = row.matcher(section);
        while (m.find()) {
            Matcher r = raw.matcher(m.group(2));
            while (r.find()) doc.put(r.group(1), m.group(1));
        }
        assertEquals(MetricNames.table(), doc);
    }
}
