package org.trainproof.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.trainproof.checkpoint.CheckpointSource;
import org.trainproof.checkpoint.DcpReader;

/** {@code inspect PATH} where PATH is one {@code *.distcp} file of a DCP folder: that rank's shard (docs/distributed.md §1). */
final class DcpShards {
    private DcpShards() {}

    /**
     * The rank's chunks as slices of the global tensors, with {@code .metadata} listed too for rank 0 (or
     * without {@code --rank}); null when PATH is not a {@code .distcp} file in a DCP folder.
     */
    static CheckpointSource open(Path path, Integer rank) {
        if (!Files.isRegularFile(path) || !path.getFileName().toString().endsWith(".distcp")) return null;
        Path dir = path.toAbsolutePath().normalize().getParent();
        if (dir == null || !DcpReader.isDcp(dir)) return null;
        return DcpReader.openRankShard(dir, path.getFileName().toString(), rank == null || rank == 0);
    }
}
