package org.trainproof.ledger;

import java.nio.file.Path;
import java.util.List;
import org.trainproof.crypto.KeyFiles;
import org.trainproof.crypto.SigningKey;

/**
 * Child process for the kill test: appends batches forever and prints "committed N" after each
 * commit returns, so the parent knows which entries must survive a SIGKILL.
 */
public final class AppendLoopMain {
    private AppendLoopMain() {}

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        SigningKey key = KeyFiles.readPrivate(Path.of(args[1]), null);
        String tag = args[2];
        try (Ledger l = Ledger.openForAppend(db, key)) {
            for (int i = 0; ; i++) {
                List<LedgerEntry> e = l.append(List.of(
                        new EntryDraft("event", LedgerFixtures.event(i, tag + "-" + i + "-a")),
                        new EntryDraft("event", LedgerFixtures.event(i, tag + "-" + i + "-b"))));
                System.out.println("committed " + tag + "-" + i + " " + e.get(1).seq());
                System.out.flush();
            }
        }
    }
}
