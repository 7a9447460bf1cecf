package org.trainproof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.trainproof.cli.Cli;
import picocli.CommandLine;

/** README fits on a screen; every relative link in README and docs/ resolves; every file --help cites exists. */
class DocsTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern CITED = Pattern.compile("\\b((?:schemas|docs)/[A-Za-z0-9_.-]+\\.(?:json|md))");

    @Test
    void readme_atMost200Lines() throws IOException {
        long lines = Files.readAllLines(Path.of("README.md")).size();
        assertTrue(lines <= 200, "README.md has " + lines + " lines");
    }

    @Test
    void everyRelativeLink_resolves_includingAnchors() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path doc : docs) {
            String text = Files.readString(doc);
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) continue; // http:, https:, mailto:
                links++;
                String file = target, anchor = null;
                int hash = target.indexOf('#');
                if (hash >= 0) {
                    file = target.substring(0, hash);
                    anchor = target.substring(hash + 1);
                }
                Path resolved = file.isEmpty() ? doc : doc.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(doc + ": " + target + " (no such file)");
                } else if (anchor != null && !anchors(resolved).contains(anchor)) {
                    broken.add(doc + ": " + target + " (no such heading)");
                }
            }
        }
        assertTrue(links > 20, "found only " + links + " links");
        assertEquals(List.of(), broken);
    }

    @Test
    void everyFileCitedByHelp_exists() {
        StringWriter o = new StringWriter();
        CommandLine cl = Cli.commandLine(new PrintWriter(o), new PrintWriter(new StringWriter()));
        StringBuilder help = new StringBuilder(cl.getUsageMessage());
        java.util.Map<String, CommandLine> all = new java.util.TreeMap<>();
        collect(cl, all);
        for (CommandLine sub : all.values()) help.append(sub.getUsageMessage());
        Set<String> cited = new HashSet<>();
        Matcher m = CITED.matcher(help);
        while (m.find()) cited.add(m.group(1));
        assertTrue(cited.size() >= 3, "help cites " + cited);
        List<String> missing = cited.stream().filter(c -> !Files.exists(Path.of(c))).sorted().toList();
        assertEquals(List.of(), missing);
    }

    /**
     * Where one command's help names another command's option ("as 'trainproof metrics --log-format'",
     * "verify --artifacts DIR"), that option exists and is not a hidden deprecated spelling.
     */
    @Test
    void everyOptionCitedByHelp_existsOnTheCommandItNames() {
        CommandLine cl = Cli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        java.util.Map<String, CommandLine> commands = new java.util.TreeMap<>();
        collect(cl, commands);
        StringBuilder help = new StringBuilder(cl.getUsageMessage());
        for (CommandLine c : commands.values()) help.append(c.getUsageMessage());
        Pattern cite = Pattern.compile("\\b(" + String.join("|", commands.keySet()) + ")((?:\\s+[A-Z][A-Z_.@]*)*)\\s+(--[a-z][a-z0-9-]*)");
        Matcher m = cite.matcher(help);
        List<String> bad = new ArrayList<>();
        int found = 0;
        while (m.find()) {
            found++;
            CommandLine.Model.OptionSpec o = commands.get(m.group(1)).getCommandSpec().findOption(m.group(3));
            if (o == null) bad.add(m.group() + ": no such option");
            else if (o.hidden()) bad.add(m.group() + ": a hidden (deprecated) spelling");
        }
        assertTrue(found >= 5, "help cites " + found + " options of other commands");
        assertEquals(List.of(), bad);
    }

    private static void collect(CommandLine c, java.util.Map<String, CommandLine> out) {
        for (java.util.Map.Entry<String, CommandLine> e : c.getSubcommands().entrySet()) {
            out.putIfAbsent(e.getKey(), e.getValue());
            collect(e.getValue(), out);
        }
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-'. */
    static Set<String> anchors(Path md) throws IOException {
        Set<String> out = new HashSet<>();
        for (String line : Files.readAllLines(md)) {
            if (!line.startsWith("#")) continue;
            String h = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
            out.add(h.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
        }
        return out;
    }
}
