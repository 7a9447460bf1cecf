import json, os, random, struct, sys
out = sys.argv[1]
rng = random.Random(7)
sizes = {"BOOL":1,"U8":1,"I8":1,"F8_E5M2":1,"F8_E4M3":1,"F8_E8M0":1,"F8_E4M3FNUZ":1,"F8_E5M2FNUZ":1,
         "I16":2,"U16":2,"F16":2,"BF16":2,"I32":4,"U32":4,"F32":4,"C64":8,"F64":8,"I64":8,"U64":8}
def write(name, tensors):
    hdr = {"__metadata__": {"gen": "perf-ident"}}
    blobs = []; off = 0
    for tn, dt, shape, data in tensors:
        hdr[tn] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + len(data)]}
        blobs.append(data); off += len(data)
    h = json.dumps(hdr).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(os.path.join(out, name), "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)
def rnd(n): return rng.randbytes(n)
# every dtype, random bits (NaN/Inf/subnormal/-0 included), several sizes incl. multi-chunk
for dt, w in sizes.items():
    ts = []
    for i, n in enumerate([1, 7, 4096, 100003]):
        ts.append((f"t{i}", dt, [n], rnd(n * w)))
    n = (5 << 20) // w + 3  # > one 4 MiB chunk, odd count
    ts.append(("big", dt, [n], rnd(n * w)))
    write(f"all_{dt}.safetensors", ts)
# sub-byte types
for dt in ["F4"]:
    write(f"all_{dt}.safetensors", [("a", dt, [4096], rnd(2048)), ("b", dt, [2, 10], rnd(10))])
for dt in ["F6_E2M3", "F6_E3M2"]:
    write(f"all_{dt}.safetensors", [("a", dt, [4096], rnd(3072)), ("b", dt, [8], rnd(6))])
# weight-like floats with rare non-finite values, zeros and -0 at chunk-crossing positions
def weights(dt, n, specials):
    b = bytearray()
    for i in range(n):
        x = rng.gauss(0, 0.02)
        if dt == "F32": b += struct.pack("<f", x)
        elif dt == "F64": b += struct.pack("<d", x)
        elif dt == "BF16": b += struct.pack("<f", x)[2:]
        elif dt == "F16": b += struct.pack("<e", x)
    w = sizes[dt]
    for pos, val in specials:
        if dt == "BF16": code = struct.pack("<f", val)[2:]
        elif dt == "F16": code = struct.pack("<e", val)
        elif dt == "F32": code = struct.pack("<f", val)
        else: code = struct.pack("<d", val)
        b[pos * w:(pos + 1) * w] = code
    return bytes(b)
inf = float("inf"); nan = float("nan")
for dt in ["BF16", "F32", "F16", "F64"]:
    w = sizes[dt]
    n = (9 << 20) // w + 5
    c = (4 << 20) // 24 * 24 // w
    sp = [(3, 0.0), (4, -0.0), (c - 1, nan), (c, inf), (2 * c + 1, -inf), (n - 1, nan)]
    write(f"weights_{dt}.safetensors", [("w", dt, [n], weights(dt, n, sp)), ("clean", dt, [3 * c + 11], weights(dt, 3 * c + 11, [])),
                                        ("gain", dt, [64], weights(dt, 64, [(5, inf)])), ("bias", dt, [64], weights(dt, 64, [])),
                                        ("allzero", dt, [1000], bytes(1000 * w)), ("empty", dt, [0], b"")])
