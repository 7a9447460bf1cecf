package org.trainproof.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One part of a tensor split across ranks, as a folded manifest records it: the rank and file that
 * hold it, its byte range in that file's data buffer, its offsets and extent ({@code shape}) in the
 * global tensor, and the SHA-256 of its raw bytes.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SlicePart(int rank, String file, long begin, long end, List<Long> offsets, List<Long> shape, String sha256) {
    public SlicePart {
        offsets = List.copyOf(offsets);
        shape = List.copyOf(shape);
    }
}
