"""Writes the checkpoints of the compare benchmark (docs/performance.md; not part of the test suite).

Usage: python3 compare_bench_files.py DIR [LAYERS]

DIR/a.safetensors: a Llama-shaped BF16 model without embeddings, LAYERS (default 10) blocks of
hidden 2048 / MLP 5632 (q, k, v, o, gate, up, down projections, two RMSNorm gains each), about
103 MB per block, so 10 blocks make ≈ 1.03 GB. DIR/b.safetensors: A plus small noise in every
tensor (a fine-tuned derivative: compare must say dependent, exit 6). DIR/c.safetensors: an
independent model of the same shapes (another seed: compare must not say dependent).
Written with torch (the safetensors layout is written by hand: an 8-byte little-endian header
length, the JSON header, the raw little-endian tensor bytes).
"""
import json
import os
import struct
import sys
import zlib

import torch

HIDDEN, MLP = 2048, 5632


def shapes(layers):
    out = []
    for i in range(layers):
        p = f"model.layers.{i}."
        for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
            out.append((p + "self_attn." + n + ".weight", (HIDDEN, HIDDEN)))
        out.append((p + "mlp.gate_proj.weight", (MLP, HIDDEN)))
        out.append((p + "mlp.up_proj.weight", (MLP, HIDDEN)))
        out.append((p + "mlp.down_proj.weight", (HIDDEN, MLP)))
        out.append((p + "input_layernorm.weight", (HIDDEN,)))
        out.append((p + "post_attention_layernorm.weight", (HIDDEN,)))
    out.append(("model.norm.weight", (HIDDEN,)))
    return out


def tensor(name, shape, gen):
    if len(shape) == 1:
        return 1.0 + 0.1 * torch.randn(shape, generator=gen)
    return torch.randn(shape, generator=gen) * (1.0 / shape[1] ** 0.5)


def write(path, names, make):
    header, off = {"__metadata__": {"format": "pt", "generator": "compare_bench_files.py"}}, 0
    for name, shape in names:
        n = 2
        for d in shape:
            n *= d
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [off, off + n]}
        off += n
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for name, shape in names:
            t = make(name, shape).to(torch.bfloat16).contiguous()
            f.write(t.view(torch.int16).numpy().tobytes())


def main():
    out = sys.argv[1]
    layers = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    names = shapes(layers)

    def a(name, shape):
        g = torch.Generator().manual_seed(zlib.crc32(name.encode()) * 4 + 1)
        return tensor(name, shape, g)

    def b(name, shape):
        g = torch.Generator().manual_seed(zlib.crc32(name.encode()) * 4 + 2)
        base = a(name, shape)
        return base + 0.1 * base.abs().mean() * torch.randn(shape, generator=g)

    def c(name, shape):
        g = torch.Generator().manual_seed(zlib.crc32(name.encode()) * 4 + 3)
        return tensor(name, shape, g)

    for fname, make in (("a", a), ("b", b), ("c", c)):
        write(f"{out}/{fname}.safetensors", names, make)
        print(f"wrote {out}/{fname}.safetensors", flush=True)


if __name__ == "__main__":
    main()
