package org.trainproof.checkpoint;

/**
 * The safetensors validation rules, named after the reference parser's errors
 * ({@code SafeTensors::read_metadata}, formats.md §1.3) plus the stricter rules trainproof adds
 * (duplicate keys, sharded index checks, Git-LFS stubs). Tests assert on these, never on message text.
 */
public enum SafetensorsRule {
    /** File shorter than the 8-byte length prefix (§1.3 rule 1). */
    HEADER_TOO_SMALL("HeaderTooSmall"),
    /** Header length N above 100,000,000 or not representable (§1.3 rule 2). */
    HEADER_TOO_LARGE("HeaderTooLarge"),
    /** 8 + N beyond the file length (§1.3 rule 3). */
    INVALID_HEADER_LENGTH("InvalidHeaderLength"),
    /** Header bytes are not valid UTF-8 (§1.3 rule 4). */
    INVALID_HEADER_UTF8("InvalidHeader(Utf8Error)"),
    /** Not JSON, or not the expected shape: wrong types, unknown dtype, fraction, negative, truncated (§1.3 rule 5). */
    INVALID_HEADER_DESERIALIZATION("InvalidHeaderDeserialization"),
    /** A key appears twice in one JSON object (stricter than the reference; §1.3 "Duplicate keys"). */
    DUPLICATE_KEY("DuplicateKey"),
    /** Tensors do not tile the data buffer from 0 without gaps or overlaps, or END &lt; BEGIN (§1.3 rule 6). */
    INVALID_OFFSET("InvalidOffset"),
    /** Element count times bit width overflows 64 bits (§1.3 rule 6). */
    VALIDATION_OVERFLOW("ValidationOverflow"),
    /** Element count times bit width is not a whole number of bytes (§1.3 rule 6). */
    MISALIGNED_SLICE("MisalignedSlice"),
    /** END − BEGIN differs from the byte size implied by dtype and shape (§1.3 rule 6). */
    TENSOR_INVALID_INFO("TensorInvalidInfo"),
    /** 8 + N + last END differs from the file length: trailing or missing bytes (§1.3 rule 7). */
    METADATA_INCOMPLETE_BUFFER("MetadataIncompleteBuffer"),
    /** The file is a Git-LFS pointer stub: the real content was never fetched. */
    CONTENT_ABSENT("ContentAbsent"),
    /** A sharded index (model.safetensors.index.json) is malformed or disagrees with its shards (§1.6). */
    INVALID_INDEX("InvalidIndex"),
    /** A shard path in the index escapes the checkpoint directory (absolute, "..", separators). */
    PATH_ESCAPE("PathEscape"),
    /** The file could not be read (missing, permissions, I/O error, changed while reading). */
    UNREADABLE("Unreadable");

    private final String referenceName;

    SafetensorsRule(String referenceName) {
        this.referenceName = referenceName;
    }

    /** The reference parser's error name (or trainproof's own name for the stricter rules). */
    public String referenceName() {
        return referenceName;
    }
}
