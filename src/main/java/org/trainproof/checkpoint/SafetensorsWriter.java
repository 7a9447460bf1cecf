package org.trainproof.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files as the reference writer does (formats.md §1.4): {@code __metadata__}
 * first, tensors ordered by descending dtype alignment then name, header padded with spaces so that
 * 8 + N is a multiple of 8. Writes to a temp file and renames, so a half-written file never appears.
 * Values are given as doubles and stored as F32, BF16 (round to nearest even) or F64.
 */
public final class SafetensorsWriter {
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();

    private record Entry(String name, Dtype dtype, long[] shape, double[] values) {}

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor; {@code values.length} must equal the product of {@code shape}. */
    public SafetensorsWriter tensor(String name, Dtype dtype, long[] shape, double[] values) {
        if (dtype != Dtype.F32 && dtype != Dtype.BF16 && dtype != Dtype.F64) {
            throw new IllegalArgumentException("writer supports F32, BF16, F64, not " + dtype);
        }
        long n = 1;
        for (long d : shape) n *= d;
        if (n != values.length) throw new IllegalArgumentException(name + ": shape has " + n + " elements, values " + values.length);
        tensors.add(new Entry(name, dtype, shape.clone(), values.clone()));
        return this;
    }

    /** Rounds a float to bfloat16 bits with round-to-nearest-even (NaN kept quiet). */
    public static short toBf16Bits(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public void write(Path path) throws IOException {
        List<Entry> ordered = new ArrayList<>(tensors);
        ordered.sort((a, b) -> {
            int c = Integer.compare(b.dtype.bits(), a.dtype.bits());
            return c != 0 ? c : a.name.compareTo(b.name);
        });
        ObjectMapper om = new ObjectMapper();
        ObjectNode header = om.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode md = header.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long offset = 0;
        for (Entry e : ordered) {
            ObjectNode t = header.putObject(e.name);
            t.put("dtype", e.dtype.name());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape) shape.add(d);
            long len = (long) e.values.length * e.dtype.bytes();
            t.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] json = om.writeValueAsBytes(header);
        int pad = (int) ((8 - (8 + json.length) % 8) % 8);
        byte[] hdr = new byte[json.length + pad];
        System.arraycopy(json, 0, hdr, 0, json.length);
        for (int i = json.length; i < hdr.length; i++) hdr[i] = ' ';
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            ByteBuffer n = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hdr.length);
            out.write(n.array());
            out.write(hdr);
            for (Entry e : ordered) {
                ByteBuffer b = ByteBuffer.allocate(e.values.length * e.dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : e.values) {
                    switch (e.dtype) {
                        case F32 -> b.putFloat((float) v);
                        case BF16 -> b.putShort(toBf16Bits((float) v));
                        default -> b.putDouble(v);
                    }
                }
                out.write(b.array());
            }
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Convenience for tests: the header JSON a writer would emit, as UTF-8. */
    static String headerText(byte[] file) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(file, 8, (int) n, StandardCharsets.UTF_8);
    }
}
