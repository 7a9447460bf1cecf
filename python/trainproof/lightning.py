"""A Lightning Callback that records a training run into a trainproof ledger.

    from trainproof.lightning import TrainproofCallback
    trainer = L.Trainer(..., callbacks=[TrainproofCallback("runs/7/ledger.db", key="lab.key", origin="example.com/runs/7")])

on_train_start: the run config from the live optimizer and scheduler (trainproof.torchconfig) and the
trainer (max_steps, accumulation, world size, seed claim if given), the step-0 weights as
step-0.safetensors beside the ledger; on_train_batch_end: the batch loss and the trainer's logged scalars
at the step whose weights produced them, every `log_every_n_steps` optimizer steps; on_save_checkpoint
(Lightning saving its .ckpt) and every `checkpoint_every` steps: the module's weights as
step-N.safetensors, recorded with the log so far; on_train_end: close. Only global rank 0 records.

Importable without lightning: it then implements the Callback hooks by duck typing.
"""
from .recorder import Recorder

_Base = object
for _mod in ("lightning.pytorch", "pytorch_lightning"):  # pragma: no cover - depends on the environment
    try:
        _Base = __import__(_mod, fromlist=["Callback"]).Callback
        break
    except Exception:
        pass

HOOKS = ("setup", "teardown", "on_fit_start", "on_fit_end", "on_train_start", "on_train_end",
         "on_train_batch_start", "on_train_batch_end", "on_train_epoch_start", "on_train_epoch_end",
         "on_validation_epoch_start", "on_validation_epoch_end", "on_validation_batch_end",
         "on_save_checkpoint", "on_load_checkpoint", "on_before_optimizer_step", "on_exception")


def _scalar(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if hasattr(v, "numel") and hasattr(v, "item"):
        try:
            if v.numel() == 1:
                return v.detach().item()
        except Exception:
            return None
    return None


class TrainproofCallback(_Base):
    def __init__(self, ledger, key, origin=None, run_config=None, vocab_size=None, seq_len=None, seed=None,
                 batch_size=None, log_every_n_steps=None, checkpoint_every=None, save_step0=True, **recorder_kwargs):
        self.ledger = ledger
        self.key = key
        self.origin = origin
        self.run_config = dict(run_config or {})
        self.vocab_size, self.seq_len, self.seed, self.batch_size = vocab_size, seq_len, seed, batch_size
        self.log_every_n_steps = log_every_n_steps
        self.checkpoint_every = checkpoint_every
        self.save_step0 = save_step0
        self.recorder_kwargs = recorder_kwargs
        self.recorder = None
        self._last_logged = None
        self._last_ckpt = None

    def on_train_start(self, trainer, pl_module):
        if getattr(trainer, "global_rank", 0) != 0 or self.recorder is not None:
            return
        import os
        from .torchconfig import run_config
        opts = list(getattr(trainer, "optimizers", None) or [])
        cfgs = list(getattr(trainer, "lr_scheduler_configs", None) or [])
        sched = cfgs[0].scheduler if cfgs else None
        total = getattr(trainer, "max_steps", -1)
        if total is None or total < 0:
            total = getattr(trainer, "estimated_stepping_batches", None)
            total = int(total) if isinstance(total, (int, float)) and total != float("inf") else None
        accum = int(getattr(trainer, "accumulate_grad_batches", 1) or 1)
        world = int(getattr(trainer, "world_size", 1) or 1)
        batch = self.batch_size
        if batch is None and getattr(trainer, "train_dataloader", None) is not None:
            bs = getattr(trainer.train_dataloader, "batch_size", None)
            batch = bs * accum * world if isinstance(bs, int) else None
        vocab = self.vocab_size or getattr(getattr(pl_module, "config", None), "vocab_size", None)
        step0 = int(getattr(trainer, "global_step", 0)) == 0
        cfg = run_config(pl_module, opts[0] if opts else None, sched, total_steps=total, vocab_size=vocab,
                         batch_size=batch, seq_len=self.seq_len, seed=self.seed, init=None if step0 else [])
        cfg.update(self.run_config)
        self.derived_run_config = cfg
        fresh = not os.path.exists(self.ledger)
        origin = self.origin or "trainproof.local/" + os.path.basename(os.path.dirname(os.path.abspath(self.ledger)))
        self.recorder = Recorder(self.ledger, self.key, run_config=cfg if fresh else None, origin=origin, **self.recorder_kwargs)
        if self.save_step0 and fresh and step0:
            self.recorder.checkpoint(0, pl_module)
            self._last_ckpt = 0

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if self.recorder is None:
            return
        done = int(trainer.global_step)  # optimizer steps taken so far
        if done == self._last_logged:
            return  # still accumulating: one record per optimizer step
        every = self.log_every_n_steps or int(getattr(trainer, "log_every_n_steps", 1) or 1)
        if (done - 1) % every == 0:
            metrics = {}
            loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
            v = _scalar(loss)
            if v is not None:
                metrics["loss"] = v
            for k, val in dict(getattr(trainer, "callback_metrics", {}) or {}).items():
                v = _scalar(val)
                if v is not None and k not in metrics:
                    metrics[k] = v
            opts = list(getattr(trainer, "optimizers", None) or [])
            if opts and "lr" not in metrics:
                metrics["lr"] = float(opts[0].param_groups[0]["lr"])
            if metrics:
                # The loss of this batch was computed on the weights after done-1 updates.
                self.recorder.log(done - 1, **metrics)
        self._last_logged = done
        if self.checkpoint_every and done % self.checkpoint_every == 0:
            self._checkpoint(done, pl_module)

    def on_save_checkpoint(self, trainer, pl_module, checkpoint):
        if self.recorder is not None:
            self._checkpoint(int(trainer.global_step), pl_module)

    def on_train_end(self, trainer, pl_module):
        if self.recorder is not None:
            rec, self.recorder = self.recorder, None
            rec.close()

    def _checkpoint(self, step, module):
        if self._last_ckpt is None or step > self._last_ckpt:
            self.recorder.checkpoint(step, module)
            self._last_ckpt = step


def _noop(self, *args, **kwargs):
    return None


for _h in HOOKS:
    if not hasattr(TrainproofCallback, _h):
        setattr(TrainproofCallback, _h, _noop)
