import math
import os
import sys
import unittest
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from trainproof.torchconfig import classify_schedule  # noqa: E402

try:
    import torch
    import torch.nn as nn
except Exception:
    torch = None


class ClassifyScheduleTest(unittest.TestCase):
    # Hand-written LR lists (not produced by trainproof code): HF-style warmup t/W then cosine to 0.
    def test_hfWarmupCosine(self):
        peak, w, n = 1e-3, 4, 20
        lrs = [peak * t / w for t in range(w)] + [peak * 0.5 * (1 + math.cos(math.pi * (t - w) / (n - w))) for t in range(w, n + 1)]
        self.assertEqual({"peak_lr": peak, "shape": "cosine", "warmup_steps": 4, "total_steps": 20, "min_lr": 0.0},
                         classify_schedule(lrs))

    def test_plusOneWarmupLinearDecay(self):
        # (t+1)/W warmup reaches the peak at t = W-1; the decay starts from the peak at t = W.
        lrs = [0.25, 0.5, 0.75, 1.0] + [1.0 - 0.1 * i for i in range(0, 11)]
        out = classify_schedule(lrs)
        self.assertEqual(("linear", 4, 14), (out["shape"], out["warmup_steps"], out["total_steps"]))
        self.assertAlmostEqual(0.0, out["min_lr"])

    def test_constant(self):
        self.assertEqual({"peak_lr": 0.1, "shape": "constant", "warmup_steps": 0, "total_steps": 5}, classify_schedule([0.1] * 6))

    def test_stepDecay_onlyPeakClaimed(self):
        self.assertEqual({"peak_lr": 1.0}, classify_schedule([1.0] * 5 + [0.1] * 5))

    def test_warmupNotFromZero_onlyPeakClaimed(self):
        self.assertEqual({"peak_lr": 1.0}, classify_schedule([0.5, 0.75, 1.0, 1.0, 1.0]))


@unittest.skipIf(torch is None, "torch not installed")
class FromLiveObjectsTest(unittest.TestCase):
    def test_optimizerGroupsAndScheduler(self):
        from trainproof.torchconfig import run_config
        torch.manual_seed(0)
        m = nn.Sequential(nn.Embedding(50, 16), nn.LayerNorm(16), nn.Linear(16, 300))
        decay = [m[0].weight, m[2].weight]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                                 {"params": [m[1].weight, m[1].bias, m[2].bias], "weight_decay": 0.0}],
                                lr=2e-3, betas=(0.8, 0.99), eps=1e-6)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30, eta_min=1e-4)
        cfg = run_config(m, opt, sched, vocab_size=50, batch_size=4)
        self.assertEqual({"name": "adamw", "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.05,
                          "no_decay": ["1.weight", "1.bias", "2.bias"]}, cfg["optimizer"])
        s = cfg["lr_schedule"]
        self.assertEqual(("cosine", 0, 30), (s["shape"], s["warmup_steps"], s["total_steps"]))
        self.assertAlmostEqual(1e-4, s["min_lr"])
        self.assertEqual(2e-3, opt.param_groups[0]["lr"])  # the real optimizer was not stepped
        self.assertEqual(50 * 16 + 32 + 16 * 300 + 300, cfg["model"]["parameters"])
        claims = {c["pattern"]: c for c in cfg["init"]}
        self.assertEqual({"pattern": "0.weight", "distribution": "normal", "std": 1.0}, claims["0.weight"])
        self.assertEqual("ones", claims["1.weight"]["distribution"])
        self.assertEqual({"pattern": "2.weight", "distribution": "uniform", "bound": 0.25}, claims["2.weight"])
        self.assertEqual({"pattern": "2.bias", "distribution": "uniform", "bound": 0.25}, claims["2.bias"])

    def test_reinitialisedTensor_notClaimed(self):
        from trainproof.torchconfig import init_claims
        torch.manual_seed(1)
        m = nn.Sequential(nn.Linear(64, 200))
        nn.init.normal_(m[0].weight, std=0.02)  # the model's own init, not nn.Linear's default
        self.assertEqual(["0.bias"], [c["pattern"] for c in init_claims(m)])


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    unittest.main()
