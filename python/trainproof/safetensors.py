"""A small safetensors writer in pure Python (format: https://github.com/huggingface/safetensors).

Header: 8-byte little-endian length N, then N bytes of JSON {name: {"dtype", "shape", "data_offsets"}}
(+ optional "__metadata__" of string values), padded with spaces to a multiple of 8, then the tensor
bytes in header order. Only the dtypes listed in DTYPES are written.
"""
import json
import math
import os
import struct
import sys

# dtype name -> (element size in bytes, struct code for little-endian packing of Python numbers or None)
DTYPES = {
    "F64": (8, "d"), "F32": (4, "f"), "F16": (2, "e"), "BF16": (2, None),
    "I64": (8, "q"), "I32": (4, "i"), "I16": (2, "h"), "I8": (1, "b"),
    "U64": (8, "Q"), "U32": (4, "I"), "U16": (2, "H"), "U8": (1, "B"), "BOOL": (1, "?"),
}

_TORCH_DTYPES = {
    "float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16",
    "int64": "I64", "int32": "I32", "int16": "I16", "int8": "I8",
    "uint64": "U64", "uint32": "U32", "uint16": "U16", "uint8": "U8", "bool": "BOOL",
}


class Tensor(object):
    """Raw tensor bytes (little-endian, row-major) with a safetensors dtype name and a shape."""

    __slots__ = ("dtype", "shape", "data")

    def __init__(self, dtype, shape, data):
        if dtype not in DTYPES:
            raise ValueError("unsupported dtype %r (supported: %s)" % (dtype, ", ".join(sorted(DTYPES))))
        shape = tuple(int(d) for d in shape)
        if any(d < 0 for d in shape):
            raise ValueError("negative dimension in shape %r" % (shape,))
        data = bytes(data)
        n = 1
        for d in shape:
            n *= d
        if len(data) != n * DTYPES[dtype][0]:
            raise ValueError("%s tensor of shape %r needs %d bytes, got %d"
                             % (dtype, shape, n * DTYPES[dtype][0], len(data)))
        self.dtype, self.shape, self.data = dtype, shape, data

    @classmethod
    def from_values(cls, dtype, shape, values):
        """Packs a flat sequence of Python numbers. BF16 rounds each float32 to nearest even."""
        values = list(values)
        if dtype == "BF16":
            out = bytearray()
            for v in values:
                (u,) = struct.unpack("<I", struct.pack("<f", float(v)))
                if math.isnan(v):
                    h = 0x7FC0 | ((u >> 16) & 0x8000)
                else:
                    h = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
                out += struct.pack("<H", h & 0xFFFF)
            return cls(dtype, shape, bytes(out))
        code = DTYPES[dtype][1]
        return cls(dtype, shape, struct.pack("<%d%s" % (len(values), code), *values))


def to_tensor(value, name="?"):
    """A Tensor from a trainproof Tensor, a torch tensor or a numpy array (copied to bytes)."""
    if isinstance(value, Tensor):
        return value
    mod = type(value).__module__ or ""
    if mod.startswith("torch"):
        return _from_torch(value, name)
    if mod.startswith("numpy"):
        return _from_numpy(value, name)
    raise TypeError("tensor %r: cannot write a %s.%s (torch tensor, numpy array or trainproof.safetensors.Tensor)"
                    % (name, mod, type(value).__name__))


def _from_torch(t, name):
    import torch  # only reached with a torch tensor in hand
    dt = str(t.dtype).replace("torch.", "")
    if dt not in _TORCH_DTYPES:
        raise TypeError("tensor %r: dtype %s is not supported (supported: %s)" % (name, t.dtype, ", ".join(sorted(_TORCH_DTYPES))))
    t = t.detach()
    shape = tuple(int(d) for d in t.shape)
    if t.device.type != "cpu":
        t = t.cpu()
    t = t.contiguous().reshape(-1)
    if dt == "bool":
        t = t.to(torch.uint8)
    raw = t.view(torch.uint8) if t.numel() else t
    try:
        data = raw.numpy().tobytes() if t.numel() else b""
    except Exception:  # torch without numpy
        data = bytes(raw.tolist()) if t.numel() else b""
    if sys.byteorder != "little" and t.element_size() > 1:
        raise TypeError("tensor %r: big-endian hosts are not supported" % name)
    return Tensor(_TORCH_DTYPES[dt], shape, data)


def _from_numpy(a, name):
    import numpy as np
    dt = a.dtype.name
    if dt not in _TORCH_DTYPES:
        raise TypeError("tensor %r: numpy dtype %s is not supported" % (name, dt))
    a = np.ascontiguousarray(a)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return Tensor(_TORCH_DTYPES[dt], a.shape, a.tobytes())


def snapshot(value, name="?"):
    """A copy taken in the training thread that the caller may not change afterwards: torch tensors are
    detached and cloned to CPU (the cheap part); the conversion to bytes happens later in write()."""
    mod = type(value).__module__ or ""
    if mod.startswith("torch"):
        return value.detach().to("cpu", copy=True)
    if mod.startswith("numpy"):
        return value.copy()
    return to_tensor(value, name)


def write(path, tensors, metadata=None):
    """Writes `tensors` (mapping name -> tensor-like, in the mapping's order) to `path` atomically:
    a temporary file in the same directory is fsync'ed and renamed. Returns the number of bytes."""
    header = {}
    items = []
    offset = 0
    for name, value in tensors.items():
        if not isinstance(name, str) or not name or name == "__metadata__":
            raise ValueError("tensor name %r is not allowed" % (name,))
        t = to_tensor(value, name)
        header[name] = {"dtype": t.dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(t.data)]}
        offset += len(t.data)
        items.append(t)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    hb = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for t in items:
            f.write(t.data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return 8 + len(hb) + offset


def read_header(path):
    """The parsed JSON header of a safetensors file (used by tests and by callers checking a file)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n).decode("utf-8"))
