package org.trainproof.trainlog;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** A tiny protobuf and TFRecord writer for tests (independent of the reader's code paths). */
final class Pb {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Pb msg() {
        return new Pb();
    }

    Pb varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    Pb tag(int field, int wire) {
        return varint((long) field << 3 | wire);
    }

    Pb int64(int field, long v) {
        return tag(field, 0).varint(v);
    }

    Pb dbl(int field, double v) {
        tag(field, 1);
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array());
    }

    Pb flt(int field, float v) {
        tag(field, 5);
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
    }

    Pb bytes(int field, byte[] b) {
        tag(field, 2).varint(b.length);
        return raw(b);
    }

    Pb str(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Pb sub(int field, Pb m) {
        return bytes(field, m.build());
    }

    Pb raw(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    byte[] build() {
        return out.toByteArray();
    }

    static int masked(byte[] b) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b, 0, b.length);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xA282EAD8;
    }

    /** One framed TFRecord. */
    static byte[] record(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        byte[] len = java.util.Arrays.copyOf(b.array(), 8);
        b.putInt(masked(len));
        b.put(data);
        b.putInt(masked(data));
        return b.array();
    }

    /** Event{wall_time, step, summary{value{tag, simple_value}}}. */
    static byte[] scalarEvent(double wall, long step, String tag, float v) {
        Pb e = msg().dbl(1, wall);
        if (step != 0) e.int64(2, step);
        return e.sub(5, msg().sub(1, msg().str(1, tag).flt(2, v))).build();
    }

    /** Event whose summary value is a tensor, with an optional plugin name. */
    static byte[] tensorEvent(double wall, long step, String tag, Pb tensor, String plugin) {
        Pb value = msg().str(1, tag).sub(8, tensor);
        if (plugin != null) value.sub(9, msg().sub(1, msg().str(1, plugin)));
        return msg().dbl(1, wall).int64(2, step).sub(5, msg().sub(1, value)).build();
    }

    static byte[] fileVersion() {
        return msg().dbl(1, 1.6e9).str(3, "brain.Event:2").build();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.write(p, 0, p.length);
        return o.toByteArray();
    }
}
