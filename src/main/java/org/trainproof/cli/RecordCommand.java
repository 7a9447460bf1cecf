package org.trainproof.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.trainproof.ExitCode;
import org.trainproof.TrainproofException;
import org.trainproof.ledger.CheckpointBodies;
import org.trainproof.ledger.EntryDraft;
import org.trainproof.ledger.EntryKinds;
import org.trainproof.ledger.Ledger;
import org.trainproof.ledger.LedgerEntry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "record", description = {
    "Append entries for one training step in one transaction, with a new signed checkpoint."})
final class RecordCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER")
    Path ledger;

    @Mixin
    KeyOptions key;

    @Option(names = "--step", required = true, description = "The training step.")
    long step;

    @Option(names = "--checkpoint", paramLabel = "PATH", description = "A checkpoint file or directory (repeatable): one 'checkpoint' entry.")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--event", paramLabel = "TEXT", description = "Append an 'event' entry (resume, restart, config change, note).")
    String event;

    @Option(names = "--end", description = "Append the 'end' entry: the run is over, nothing can follow.")
    boolean end;

    @Override
    public Integer call() {
        if (step < 0) throw TrainproofException.usage("--step must be >= 0");
        List<EntryDraft> drafts = new ArrayList<>();
        if (!checkpoints.isEmpty()) {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            b.put("step", step);
            b.set("checkpoint", CheckpointBodies.of(checkpoints));
            drafts.add(new EntryDraft(EntryKinds.CHECKPOINT, b));
        }
        if (event != null) {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            b.put("step", step);
            b.put("text", event);
            drafts.add(new EntryDraft(EntryKinds.EVENT, b));
        }
        if (end) {
            ObjectNode b = JsonNodeFactory.instance.objectNode();
            b.put("step", step);
            drafts.add(new EntryDraft(EntryKinds.END, b));
        }
        if (drafts.isEmpty()) throw TrainproofException.usage("nothing to record: give --checkpoint, --event or --end");
        var k = key.load();
        try (Ledger l = Ledger.openForAppend(ledger, k)) {
            List<LedgerEntry> added = l.append(drafts);
            for (LedgerEntry e : added) {
                spec.commandLine().getOut().println("entry " + e.seq() + " " + e.kind() + " step " + step + " " + e.leafHash());
            }
        }
        return ExitCode.OK;
    }
}
