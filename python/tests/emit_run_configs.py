"""Prints, as one JSON object, the run configs the package generates (for the Java
PythonRunConfigSchemaTest, which validates each against schemas/run-config.schema.json):

  hf_args       trainproof.hf.run_config_from_args on TrainingArguments of the real shape (every field at
                transformers' default, from the wheel's source when on disk: hf_shapes) with typical settings
  hf_callback   what TrainproofCallback.on_train_begin hands the Recorder (adds the model's init and
                no_decay claims; needs torch)
  lightning     what the Lightning TrainproofCallback.on_train_start hands the Recorder (needs torch)
  from_torch    trainproof.torchconfig.run_config on a live model, AdamW and a warmup+cosine LambdaLR (needs torch)
"""
import json
import math
import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hf_shapes  # noqa: E402
import trainproof.hf as hf  # noqa: E402
import trainproof.lightning as pl  # noqa: E402
import trainproof.torchconfig as tc  # noqa: E402

try:
    import torch
    import torch.nn as nn
except Exception:
    torch = None


class Capture(object):
    last = None

    def __init__(self, ledger, key, run_config=None, origin=None, **kw):
        Capture.last = run_config

    def checkpoint(self, *a, **k):
        pass

    def close(self, end=False):
        pass


SETTINGS = dict(learning_rate=3e-4, lr_scheduler_type="cosine", warmup_steps=50, weight_decay=0.1,
                adam_beta2=0.95, per_device_train_batch_size=8, gradient_accumulation_steps=4, max_steps=1000,
                seed=7, bf16=True)


def training_arguments(out):
    w = hf_shapes.wheel()
    if w:
        return hf_shapes.Source(w).training_arguments(output_dir=out, **SETTINGS)
    # transformers' documented defaults for the fields read, then the settings
    a = dict(output_dir=out, optim="adamw_torch", adam_beta1=0.9, adam_epsilon=1e-8, max_grad_norm=1.0,
             lr_scheduler_kwargs={}, fp16=False, world_size=1)
    a.update(SETTINGS)
    return types.SimpleNamespace(**a)


def main():
    out = {}
    args = training_arguments("/nonexistent/out")
    out["hf_args"] = hf.run_config_from_args(args)
    if torch is not None:
        torch.manual_seed(0)
        model = nn.Sequential(nn.Embedding(64, 32), nn.LayerNorm(32), nn.Linear(32, 64))
        hf.Recorder = Capture
        cb = hf.TrainproofCallback(key="lab.key", ledger="/nonexistent/ledger.db", origin="example.com/x", vocab_size=64)
        cb.on_train_begin(args, types.SimpleNamespace(global_step=0, max_steps=1000, is_world_process_zero=True),
                          None, model=model)
        out["hf_callback"] = Capture.last
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: s / 10 if s < 10 else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (s - 10) / 90)))
        out["from_torch"] = tc.run_config(model, opt, sched, total_steps=100, vocab_size=64, batch_size=8, seq_len=16, seed=1)
        pl.Recorder = Capture
        trainer = types.SimpleNamespace(global_rank=0, optimizers=[opt], lr_scheduler_configs=[types.SimpleNamespace(scheduler=sched)],
                                        max_steps=100, global_step=0, accumulate_grad_batches=2, world_size=1,
                                        train_dataloader=types.SimpleNamespace(batch_size=4))
        lcb = pl.TrainproofCallback("/nonexistent/ledger.db", key="lab.key", origin="example.com/x", vocab_size=64)
        lcb.on_train_start(trainer, model)
        out["lightning"] = Capture.last
    print(json.dumps(out, allow_nan=False))


if __name__ == "__main__":
    main()
