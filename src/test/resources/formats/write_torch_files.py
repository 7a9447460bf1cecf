# Writes the same tensors in every container torch writes, plus the expected per-tensor facts
# computed by torch itself (the test oracle): sha256 of t.contiguous() bytes (little-endian machine),
# mean and element count. Usage: python3 write_torch_files.py OUT_DIR
import hashlib, json, os, struct, sys, zipfile
import torch

out = sys.argv[1]
torch.manual_seed(1234)
base = torch.randn(100)
sd = {
    "w": torch.randn(4, 6),
    "b16": torch.randn(7).to(torch.bfloat16),
    "h": torch.randn(3, 3).half(),
    "i64": torch.arange(5),
    "i8": torch.tensor([-3, 0, 5], dtype=torch.int8),
    "flag": torch.tensor([True, False, True]),
    "d": torch.randn(2, 2, dtype=torch.float64),
    "f8": torch.randn(4).to(torch.float8_e4m3fn),
    "fortran": torch.randn(3, 4).t(),                  # non-contiguous, stride (1, 4)
    "view_a": base[10:30].view(4, 5),                  # storage offset 10, shares base's storage
    "view_b": base[50:60:2],                           # offset 50, stride 2, same storage
    "scalar": torch.tensor(42.5),
    "empty": torch.zeros(0, 3),
}

def raw(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16 or t.dtype == torch.float16:
        return t.view(torch.int16).numpy().tobytes()
    if t.dtype == torch.float8_e4m3fn:
        return t.view(torch.uint8).numpy().tobytes()
    return t.numpy().tobytes()

assert sys.byteorder == "little"
expected = {k: {"sha256": hashlib.sha256(raw(v)).hexdigest(), "count": v.numel(),
                "mean": (v.double().mean().item() if v.numel() and v.dtype != torch.float8_e4m3fn else None),
                "shape": list(v.shape)} for k, v in sd.items()}
json.dump(expected, open(os.path.join(out, "expected.json"), "w"), indent=1)

# torch.save zip (plain state dict) and nested training checkpoint
torch.save(sd, os.path.join(out, "plain.pt"))
model = torch.nn.Linear(6, 4)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
model(torch.randn(2, 6)).sum().backward()
opt.step()
torch.save({"model_state_dict": sd, "optimizer_state_dict": opt.state_dict(), "epoch": 7, "loss": 0.25},
           os.path.join(out, "nested.pth"))
# the same bytes named like a Hugging Face file: detection is by content
torch.save(sd, os.path.join(out, "pytorch_model.bin"))
# Lightning's checkpoint layout (Lightning itself is not installed: the dict its trainer saves)
torch.save({"epoch": 2, "global_step": 300, "pytorch-lightning_version": "2.4.0", "state_dict": sd,
            "loops": {}, "callbacks": {}, "optimizer_states": [opt.state_dict()], "lr_schedulers": []},
           os.path.join(out, "epoch=2-step=300.ckpt"))
# legacy pre-1.6 format
torch.save(sd, os.path.join(out, "legacy.pt"), _use_new_zipfile_serialization=False)

# big-endian copy of plain.pt: byteorder entry "big" and every storage byte-swapped per element
sizes = {}
zin = zipfile.ZipFile(os.path.join(out, "plain.pt"))
# element size per storage key, from the persistent ids (nothing is executed)
obj_keys = {}
import pickle
class KeyUnpickler(pickle.Unpickler):
    def find_class(self, mod, name):
        if mod == "torch._utils":
            return lambda *a: None
        if mod == "collections" and name == "OrderedDict":
            import collections
            return collections.OrderedDict
        return (mod, name)
    def persistent_load(self, pid):
        storage_type, key = pid[1], pid[2]
        es = {"FloatStorage": 4, "BFloat16Storage": 2, "HalfStorage": 2, "LongStorage": 8, "CharStorage": 1,
              "BoolStorage": 1, "DoubleStorage": 8, "UntypedStorage": 1}[storage_type[1]]
        obj_keys[key] = es
        return None
KeyUnpickler(__import__("io").BytesIO(zin.read("plain/data.pkl"))).load()
with zipfile.ZipFile(os.path.join(out, "bigendian.pt"), "w", compression=zipfile.ZIP_STORED) as zout:
    for info in zin.infolist():
        data = zin.read(info.filename)
        name = info.filename.replace("plain/", "bigendian/", 1)
        if name.endswith("/byteorder"):
            data = b"big"
        elif "/data/" in name and not name.endswith("serialization_id"):
            es = obj_keys[name.rsplit("/", 1)[1]]
            data = b"".join(data[i:i + es][::-1] for i in range(0, len(data), es))
        zout.writestr(name, data)

# torch itself reads the big-endian copy back to the same values (so the copy is a valid torch file)
back = torch.load(os.path.join(out, "bigendian.pt"))
for k, v in sd.items():
    assert back[k].dtype == v.dtype and torch.equal(back[k].view(torch.uint8) if v.dtype == torch.float8_e4m3fn else back[k],
                                                    v.view(torch.uint8) if v.dtype == torch.float8_e4m3fn else v), k

# safetensors written by hand (the safetensors package is not installed): contiguous LE bytes
def st_dtype(t):
    return {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16", torch.int64: "I64", torch.int8: "I8",
            torch.bool: "BOOL", torch.float64: "F64", torch.float8_e4m3fn: "F8_E4M3"}[t.dtype]
header, blobs, off = {}, [], 0
for k, v in sd.items():
    b = raw(v)
    header[k] = {"dtype": st_dtype(v), "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b)
    off += len(b)
h = json.dumps(header).encode()
h += b" " * ((8 - (8 + len(h)) % 8) % 8)
with open(os.path.join(out, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

# DCP folder (single process: one chunk per tensor)
import torch.distributed.checkpoint as dcp
import warnings
warnings.simplefilter("ignore")
dcp.save({k: v for k, v in sd.items()}, checkpoint_id=os.path.join(out, "dcp"))
print("ok")
