package org.trainproof.ledger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.trainproof.TrainproofException;

/**
 * Group commit for one process: callers on any number of threads submit drafts and block until
 * their entries are durable; one committer thread takes everything queued, appends it with
 * {@link Ledger#append(List)} (one transaction, one signed checkpoint, one {@code synchronous=FULL}
 * commit), and then releases each caller with its own entries. Requests that arrive while a commit
 * is in flight share the next commit's fsync.
 *
 * <p>Durability: a caller is released only after the commit returned, and the signed checkpoint
 * covering its entries is written in that same transaction, so no checkpoint exists (on disk or
 * handed out) before the entries under it are durable. A failure of a group's transaction rolls
 * it back and fails every caller of that group with the same exception; nothing of it is stored.
 * A draft that cannot be canonicalized, or a 'run' draft, fails only its own caller, before it is
 * queued. A request that contains an 'end' entry closes its group, so later requests are refused
 * by the ledger ("the run has ended") rather than appended after it in the same transaction.
 *
 * <p>The appender uses {@code ledger} exclusively until {@link #close()} (which waits for queued
 * requests to commit and does not close the ledger). The existing {@link Ledger#append} path is
 * unchanged; this class only calls it.
 */
public final class GroupCommitAppender implements AutoCloseable {
    /** Most entries in one group (one transaction): bounds its memory and lock time. */
    public static final int DEFAULT_MAX_GROUP_ENTRIES = 10_000;

    private final Ledger ledger;
    private final int maxGroupEntries;
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final Thread committer;
    private boolean closed; // guarded by queue
    private long groups; // guarded by queue

    /** Drafts to group-commit, or (drafts empty) a task run alone on the committer thread. */
    /** What one request got: its entries, and the size of the signed checkpoint (tree) that covers them. */
    public record Committed(List<LedgerEntry> entries, long treeSize) {}

    private record Request(List<EntryDraft> drafts, CompletableFuture<Committed> done, Runnable task) {
        boolean isTask() {
            return task != null;
        }

        boolean ends() {
            for (EntryDraft d : drafts) if (d.kind().equals(EntryKinds.END)) return true;
            return false;
        }
    }

    public GroupCommitAppender(Ledger ledger) {
        this(ledger, DEFAULT_MAX_GROUP_ENTRIES);
    }

    public GroupCommitAppender(Ledger ledger, int maxGroupEntries) {
        if (maxGroupEntries < 1) throw new IllegalArgumentException("maxGroupEntries must be >= 1");
        this.ledger = ledger;
        this.maxGroupEntries = maxGroupEntries;
        this.committer = new Thread(this::run, "trainproof-group-commit");
        this.committer.setDaemon(true);
        this.committer.start();
    }

    /** Appends one entry; returns it once it is durable under a signed checkpoint. */
    public LedgerEntry append(EntryDraft draft) {
        return append(List.of(draft)).get(0);
    }

    /**
     * Appends {@code drafts} as consecutive entries (in one group); returns them once they are
     * durable under a signed checkpoint. Throws what the group's append threw if it failed.
     */
    public List<LedgerEntry> append(List<EntryDraft> drafts) {
        try {
            return submit(drafts).join().entries(); // uninterruptible: the caller must learn whether its entries were stored
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error er) throw er;
            throw e;
        }
    }

    /**
     * As {@link #append(List)} without waiting: the future completes with the entries once they are
     * durable under a signed checkpoint, or exceptionally with what the group's append threw. Bad
     * drafts (a 'run' entry, a body that cannot be canonicalized) throw here and queue nothing.
     * Futures complete on the committer thread, in commit order.
     */
    public CompletableFuture<Committed> submit(List<EntryDraft> drafts) {
        if (drafts.isEmpty()) throw new IllegalArgumentException("nothing to append");
        if (drafts.size() > maxGroupEntries) {
            throw new IllegalArgumentException(drafts.size() + " drafts exceed the group limit of " + maxGroupEntries);
        }
        // Same checks as Ledger.append, done here so a bad draft fails only its own caller.
        for (EntryDraft d : drafts) {
            if (d.kind().equals(EntryKinds.RUN)) throw TrainproofException.badInput(ledger.path(), "a 'run' entry exists only at seq 0");
            try {
                CanonicalJson.canonicalize(d.bodyView());
            } catch (IllegalArgumentException ex) {
                throw TrainproofException.badInput("'" + d.kind() + "' entry body", ex.getMessage());
            }
        }
        Request r = new Request(List.copyOf(drafts), new CompletableFuture<>(), null);
        enqueue(r);
        return r.done();
    }

    /**
     * Runs {@code task} on the committer thread, alone, after every request queued before it has
     * committed and before any queued after it: for work whose drafts depend on what the ledger holds
     * (where a log was left off, the last checkpoint step), which must read and append under the
     * committer's exclusive use of the ledger. The task makes its own {@code Ledger.append} calls;
     * the future completes with its result or its exception.
     */
    public <T> CompletableFuture<T> submitTask(java.util.function.Function<Ledger, T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Request r = new Request(List.of(), new CompletableFuture<>(), () -> {
            try {
                result.complete(task.apply(ledger));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        enqueue(r);
        return result;
    }

    private void enqueue(Request r) {
        synchronized (queue) {
            if (closed) throw new IllegalStateException("group-commit appender is closed");
            queue.add(r);
            queue.notifyAll();
        }
    }

    /** Requests waiting for the committer (for tests). */
    int queued() {
        synchronized (queue) {
            return queue.size();
        }
    }

    /** Groups committed or failed so far. */
    public long groups() {
        synchronized (queue) {
            return groups;
        }
    }

    private void run() {
        while (true) {
            List<Request> group = new ArrayList<>();
            synchronized (queue) {
                while (queue.isEmpty() && !closed) {
                    try {
                        queue.wait();
                    } catch (InterruptedException e) {
                        // Only close() ends this thread, after the queue is drained.
                    }
                }
                if (queue.isEmpty()) return; // closed and drained
                if (queue.peek().isTask()) {
                    group.add(queue.poll());
                } else {
                    int n = 0;
                    while (!queue.isEmpty() && !queue.peek().isTask() && n + queue.peek().drafts().size() <= maxGroupEntries) {
                        Request r = queue.poll();
                        group.add(r);
                        n += r.drafts().size();
                        if (r.ends()) break;
                    }
                }
            }
            if (group.get(0).isTask()) {
                group.get(0).task().run();
                countGroup();
            } else {
                commit(group);
            }
        }
    }

    private void commit(List<Request> group) {
        List<EntryDraft> all = new ArrayList<>();
        for (Request r : group) all.addAll(r.drafts());
        List<LedgerEntry> out;
        try {
            out = ledger.append(all);
        } catch (Throwable t) {
            countGroup();
            for (Request r : group) r.done().completeExceptionally(t);
            return;
        }
        countGroup();
        long treeSize = out.get(out.size() - 1).seq() + 1;
        int from = 0;
        for (Request r : group) {
            int to = from + r.drafts().size();
            r.done().complete(new Committed(List.copyOf(out.subList(from, to)), treeSize));
            from = to;
        }
    }

    private void countGroup() {
        synchronized (queue) {
            groups++;
        }
    }

    /** Commits what is queued, then stops the committer thread. Does not close the ledger. */
    @Override
    public void close() {
        synchronized (queue) {
            closed = true;
            queue.notifyAll();
        }
        boolean interrupted = false;
        while (committer.isAlive()) {
            try {
                committer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
