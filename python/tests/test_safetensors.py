import json
import os
import shutil
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from trainproof import safetensors  # noqa: E402

try:
    import torch
except Exception:  # torch absent: the torch cases skip
    torch = None


class SafetensorsWriterTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir, True)

    def read(self, path):
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n))
            return n, header, f.read()

    def test_write_f32_and_i64_headerAlignedOffsetsContiguous(self):
        p = os.path.join(self.dir, "a.safetensors")
        a = safetensors.Tensor.from_values("F32", (2, 3), [1.0, -2.5, 3.25, 0.0, 1e-3, 7.0])
        b = safetensors.Tensor.from_values("I64", (2,), [5, -9])
        size = safetensors.write(p, {"w": a, "idx": b}, metadata={"step": 3})
        n, header, data = self.read(p)
        self.assertEqual(0, (8 + n) % 8)
        self.assertEqual(size, os.path.getsize(p))
        self.assertEqual({"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, header["w"])
        self.assertEqual({"dtype": "I64", "shape": [2], "data_offsets": [24, 40]}, header["idx"])
        self.assertEqual({"step": "3"}, header["__metadata__"])
        self.assertEqual((1.0, -2.5, 3.25, 0.0), struct.unpack("<4f", data[:16]))
        self.assertEqual((5, -9), struct.unpack("<2q", data[24:40]))
        self.assertFalse([f for f in os.listdir(self.dir) if ".tmp" in f])

    def test_bf16_fromValues_roundsToNearestEven(self):
        # 1 + 2^-8 is halfway between bf16 1.0 and 1.0078125: ties go to even (1.0); 1 + 3*2^-8 rounds up.
        t = safetensors.Tensor.from_values("BF16", (3,), [1.0, 1.0 + 2 ** -8, 1.0 + 3 * 2 ** -8])
        self.assertEqual((0x3F80, 0x3F80, 0x3F82), struct.unpack("<3H", t.data))

    def test_wrongByteCount_refusedWithShape(self):
        with self.assertRaisesRegex(ValueError, "needs 8 bytes"):
            safetensors.Tensor("F32", (2,), b"\0" * 4)

    def test_unsupportedDtype_refused(self):
        with self.assertRaisesRegex(ValueError, "unsupported dtype"):
            safetensors.Tensor("F8_E4M3", (1,), b"\0")

    @unittest.skipIf(torch is None, "torch not installed")
    def test_torchTensors_everyDtype_bytesAsTorchHoldsThem(self):
        p = os.path.join(self.dir, "t.safetensors")
        g = torch.Generator().manual_seed(0)
        base = torch.randn(3, 5, generator=g)
        ts = {"f32": base, "f16": base.half(), "bf16": base.bfloat16(), "i32": torch.arange(7, dtype=torch.int32),
              "u8": torch.arange(4, dtype=torch.uint8), "t": base.t(), "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 4)}
        safetensors.write(p, ts)
        n, header, data = self.read(p)
        expect = {"f32": "F32", "f16": "F16", "bf16": "BF16", "i32": "I32", "u8": "U8", "t": "F32", "scalar": "F32", "empty": "F32"}
        for name, t in ts.items():
            h = header[name]
            self.assertEqual(expect[name], h["dtype"], name)
            self.assertEqual(list(t.shape), h["shape"], name)
            raw = bytearray(data[h["data_offsets"][0]:h["data_offsets"][1]])
            if t.numel():
                back = torch.frombuffer(raw, dtype=t.dtype).reshape(t.shape)
                self.assertTrue(torch.equal(back, t), name)  # bit-exact, transposed view made contiguous
            else:
                self.assertEqual(0, len(raw))


if __name__ == "__main__":
    unittest.main()
