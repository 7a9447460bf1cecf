"""The HF and Lightning callbacks driven exactly as their frameworks call them (hook names and argument
conventions of transformers' CallbackHandler.call_event and Lightning's Callback), with fake argument
objects where the libraries are absent and a recorder stand-in that keeps the calls."""
import os
import shutil
import sys
import tempfile
import types
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import trainproof.hf as hf  # noqa: E402
import trainproof.lightning as pl  # noqa: E402
import hf_shapes  # noqa: E402

try:
    import torch
    import torch.nn as nn
except Exception:
    torch = None


class FakeRecorder(object):
    instances = []

    def __init__(self, ledger, key, run_config=None, origin=None, **kw):
        self.ledger, self.key, self.run_config, self.origin, self.kw = ledger, key, run_config, origin, kw
        self.calls = []
        FakeRecorder.instances.append(self)

    def log(self, step, **m):
        self.calls.append(("log", step, m))

    def checkpoint(self, step, obj):
        self.calls.append(("checkpoint", step, type(obj).__name__))

    def record_checkpoint(self, step, path):
        self.calls.append(("record_checkpoint", step, os.path.basename(path)))

    def close(self, end=False):
        self.calls.append(("close",))


class SchedulerType(object):  # transformers passes enums whose .value is the name
    def __init__(self, value):
        self.value = value


def training_arguments(out, **over):
    a = dict(output_dir=out, learning_rate=3e-4, lr_scheduler_type=SchedulerType("cosine"), warmup_steps=0,
             warmup_ratio=0.1, weight_decay=0.01, optim=SchedulerType("adamw_torch"), adam_beta1=0.9,
             adam_beta2=0.95, adam_epsilon=1e-8, per_device_train_batch_size=8, gradient_accumulation_steps=4,
             world_size=2, max_steps=-1, seed=7, max_grad_norm=1.0, lr_scheduler_kwargs={}, bf16=True, fp16=False)
    a.update(over)
    return types.SimpleNamespace(**a)


class HfCallbackTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.out)
        FakeRecorder.instances = []
        self.orig = hf.Recorder
        hf.Recorder = FakeRecorder
        self.addCleanup(setattr, hf, "Recorder", self.orig)

    def test_runConfigFromTrainingArguments(self):
        cfg = hf.run_config_from_args(training_arguments(self.out), max_steps=1000)
        self.assertEqual({"name": "adamw", "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.01},
                         {k: v for k, v in cfg["optimizer"].items() if k != "no_decay"})
        # warmup_ratio 0.1 of the 1000 steps the Trainer computed; cosine decays to 0
        self.assertEqual({"peak_lr": 3e-4, "shape": "cosine", "warmup_steps": 100, "min_lr": 0.0, "total_steps": 1000},
                         cfg["lr_schedule"])
        self.assertEqual(8 * 4 * 2, cfg["batch_size"])
        self.assertEqual((7, 1.0, "bf16"), (cfg["seed"], cfg["grad_clip"], cfg["hardware"]["precision"]))

    def test_explicitWarmupAndMinLrRate(self):
        cfg = hf.run_config_from_args(training_arguments(self.out, warmup_steps=25, max_steps=500,
                                                         lr_scheduler_type="cosine_with_min_lr",
                                                         lr_scheduler_kwargs={"min_lr_rate": 0.1}))
        self.assertEqual((25, 500), (cfg["lr_schedule"]["warmup_steps"], cfg["lr_schedule"]["total_steps"]))
        self.assertAlmostEqual(3e-5, cfg["lr_schedule"]["min_lr"])

    def test_unknownSchedulerType_onlyPeakClaimed(self):
        cfg = hf.run_config_from_args(training_arguments(self.out, lr_scheduler_type="polynomial"))
        self.assertEqual({"peak_lr": 3e-4}, cfg["lr_schedule"])

    def test_hooksAsTrainerCallsThem(self):
        cb = hf.TrainproofCallback(key="lab.key", origin="example.com/runs/1", vocab_size=100)
        args = training_arguments(self.out, max_steps=20)
        state = types.SimpleNamespace(global_step=0, max_steps=20, is_world_process_zero=True)
        control = object()
        model = nn.Sequential(nn.Linear(16, 16), nn.LayerNorm(16)) if torch is not None else None
        common = dict(model=model, processing_class=None, optimizer=None, lr_scheduler=None,
                      train_dataloader=None, eval_dataloader=None)
        for h in hf.HOOKS:  # every hook of the protocol exists and returns control
            if h not in ("on_train_begin", "on_log", "on_save", "on_train_end"):
                self.assertIs(control, getattr(cb, h)(args, state, control, **common), h)
        self.assertIs(control, cb.on_train_begin(args, state, control, **common))
        rec = FakeRecorder.instances[0]
        self.assertEqual(os.path.join(self.out, "ledger.db"), rec.ledger)
        self.assertEqual(100, rec.run_config["vocab_size"])
        self.assertEqual(20, rec.run_config["lr_schedule"]["total_steps"])
        state.global_step = 10
        cb.on_log(args, state, control, logs={"loss": 3.2, "grad_norm": 0.9, "learning_rate": 2e-4, "epoch": 0.5}, **common)
        os.makedirs(os.path.join(self.out, "checkpoint-10"))
        cb.on_save(args, state, control, **common)
        state.global_step = 20
        cb.on_log(args, state, control, logs={"train_runtime": 12.0, "train_loss": 3.0, "epoch": 1.0}, **common)
        cb.on_train_end(args, state, control, **common)
        expect = [("log", 10, {"loss": 3.2, "grad_norm": 0.9, "learning_rate": 2e-4, "epoch": 0.5}),
                  ("record_checkpoint", 10, "checkpoint-10"), ("close",)]
        if model is not None:
            expect.insert(0, ("checkpoint", 0, "Sequential"))
            self.assertEqual(["0.weight", "1.weight", "1.bias"], [c["pattern"] for c in rec.run_config["init"]])
            self.assertEqual(["0.bias", "1.weight", "1.bias"], rec.run_config["optimizer"]["no_decay"])
        self.assertEqual(expect, rec.calls)

    def test_notWorldProcessZero_recordsNothing(self):
        cb = hf.TrainproofCallback(key="lab.key")
        state = types.SimpleNamespace(global_step=0, max_steps=5, is_world_process_zero=False)
        cb.on_train_begin(training_arguments(self.out), state, None, model=None)
        cb.on_log(training_arguments(self.out), state, None, logs={"loss": 1.0})
        self.assertEqual([], FakeRecorder.instances)


@unittest.skipIf(torch is None, "torch not installed")
class LightningCallbackTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.out)
        FakeRecorder.instances = []
        self.orig = pl.Recorder
        pl.Recorder = FakeRecorder
        self.addCleanup(setattr, pl, "Recorder", self.orig)

    # lightning.pytorch.callbacks.Callback (src/lightning/pytorch/callbacks/callback.py): the hooks used, with
    # their parameters; Lightning calls them positionally, fn(trainer, pl_module, *args).
    DOCUMENTED = {"on_train_start": ["trainer", "pl_module"], "on_train_end": ["trainer", "pl_module"],
                  "on_train_batch_end": ["trainer", "pl_module", "outputs", "batch", "batch_idx"],
                  "on_save_checkpoint": ["trainer", "pl_module", "checkpoint"]}

    def test_hookSignaturesAsDocumented(self):
        import inspect
        for name, params in self.DOCUMENTED.items():
            sig = inspect.signature(getattr(pl.TrainproofCallback, name))
            self.assertEqual(["self"] + params, list(sig.parameters)[:len(params) + 1], name)

    def test_hooksAsLightningCallsThem(self):
        module = nn.Sequential(nn.Linear(8, 8))
        opt = torch.optim.AdamW(module.parameters(), lr=1e-3, weight_decay=0.1)
        trainer = types.SimpleNamespace(global_rank=0, optimizers=[opt], lr_scheduler_configs=[], max_steps=6,
                                        global_step=0, log_every_n_steps=2, callback_metrics={"val_loss": torch.tensor(2.0)},
                                        accumulate_grad_batches=1, world_size=1, train_dataloader=None)
        cb = pl.TrainproofCallback(os.path.join(self.out, "ledger.db"), key="lab.key", vocab_size=8, checkpoint_every=3)
        for h in ("setup", "on_fit_start", "on_train_epoch_start"):
            getattr(cb, h)(trainer, module) if h != "setup" else cb.setup(trainer, module, stage="fit")
        cb.on_train_start(trainer, module)
        rec = FakeRecorder.instances[0]
        self.assertEqual({"shape": "constant", "peak_lr": 1e-3, "total_steps": 6}, rec.run_config["lr_schedule"])
        for i in range(6):
            trainer.global_step = i + 1  # Lightning has stepped the optimizer when on_train_batch_end runs
            cb.on_train_batch_end(trainer, module, {"loss": torch.tensor(4.0 - i)}, None, i)
        cb.on_save_checkpoint(trainer, module, {})  # step 6: already written by checkpoint_every
        cb.on_train_end(trainer, module)
        self.assertEqual([("checkpoint", 0, "Sequential"),
                          ("log", 0, {"loss": 4.0, "val_loss": 2.0, "lr": 1e-3}),
                          ("log", 2, {"loss": 2.0, "val_loss": 2.0, "lr": 1e-3}),
                          ("checkpoint", 3, "Sequential"),
                          ("log", 4, {"loss": 0.0, "val_loss": 2.0, "lr": 1e-3}),
                          ("checkpoint", 6, "Sequential"), ("close",)], rec.calls)


@unittest.skipIf(hf_shapes.wheel() is None, "no transformers wheel on disk (set TRAINPROOF_TRANSFORMERS_WHEEL): "
                 "protocol-from-source tests skipped")
class TransformersProtocolTest(unittest.TestCase):
    """The callback against transformers' own source (the wheel's trainer_callback.py and training_args.py,
    parsed, not imported): every hook TrainerCallback defines, called exactly as CallbackHandler.call_event
    calls it, with TrainingArguments/TrainerState/TrainerControl objects holding every real field."""

    @classmethod
    def setUpClass(cls):
        cls.src = hf_shapes.Source(hf_shapes.wheel())

    def setUp(self):
        self.out = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.out)
        FakeRecorder.instances = []
        self.orig = hf.Recorder
        hf.Recorder = FakeRecorder
        self.addCleanup(setattr, hf, "Recorder", self.orig)

    def test_everyHookOfTheProtocol_callableAsCallEventCallsIt(self):
        hooks = self.src.hooks()
        self.assertIn("on_log", hooks)
        for name, (params, var_kw) in hooks.items():
            self.assertEqual(["args", "state", "control"], params[:3], name)
            self.assertTrue(hasattr(hf.TrainproofCallback, name), "TrainproofCallback lacks %s (%s)" % (name, self.src.wheel))
        self.assertLessEqual(set(hooks), set(hf.HOOKS), "hf.HOOKS lists every hook of the protocol")
        cb = hf.TrainproofCallback(key="lab.key")
        args, state, control = self.src.training_arguments(output_dir=self.out), self.src.trainer_state(), self.src.trainer_control()
        common = {k: None for k in self.src.call_event_kwargs()}
        extra = self.src.event_extra_kwargs()
        for name in hooks:
            if name in ("on_train_begin", "on_train_end"):
                continue  # they open / close a recorder: test_trainingRun_withRealArgumentShapes
            kw = dict(common, **{k: {} for k in extra.get(name, [])})
            self.assertIs(control, getattr(cb, name)(args, state, control, **kw), name)

    def test_trainingRun_withRealArgumentShapes(self):
        src = self.src
        args = src.training_arguments(output_dir=self.out, max_steps=20, learning_rate=3e-4, lr_scheduler_type="cosine",
                                      warmup_steps=0.1, weight_decay=0.01, per_device_train_batch_size=4,
                                      gradient_accumulation_steps=2, bf16=True)
        state = src.trainer_state(max_steps=20)
        control = src.trainer_control()
        common = {k: None for k in src.call_event_kwargs()}
        if torch is not None:
            common["model"] = nn.Sequential(nn.Linear(16, 16), nn.LayerNorm(16))
        extra = src.event_extra_kwargs()
        cb = hf.TrainproofCallback(key="lab.key", origin="example.com/runs/src", vocab_size=100)

        def call(event, **kw):  # CallbackHandler.call_event: (args, state, control, model=..., ..., **kwargs)
            for k in extra.get(event, []):
                kw.setdefault(k, {})
            return getattr(cb, event)(args, state, control, **dict(common, **kw))

        for event in ("on_init_end", "on_train_begin", "on_epoch_begin", "on_step_begin"):
            self.assertIs(control, call(event), event)
        rec = FakeRecorder.instances[0]
        cfg = rec.run_config
        # transformers 5: warmup_steps 0.1 is a ratio of the 20 steps -> ceil(2.0) = 2
        self.assertEqual({"peak_lr": 3e-4, "shape": "cosine", "warmup_steps": 2, "min_lr": 0.0, "total_steps": 20},
                         cfg["lr_schedule"])
        # adam_beta2 / adam_epsilon / seed / max_grad_norm: transformers' defaults (0.999, 1e-8, 42, 1.0)
        self.assertEqual({"name": "adamw", "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01},
                         {k: v for k, v in cfg["optimizer"].items() if k != "no_decay"})
        self.assertEqual((4 * 2 * 1, 42, 1.0, "bf16", 100), (cfg["batch_size"], cfg["seed"], cfg["grad_clip"],
                                                             cfg["hardware"]["precision"], cfg["vocab_size"]))
        for step in range(1, 11):
            state.global_step = step
            for event in ("on_pre_optimizer_step", "on_optimizer_step", "on_step_end"):
                self.assertIs(control, call(event), event)
            if step % 5 == 0:
                self.assertIs(control, call("on_log", logs={"loss": 4.0 - step / 10, "grad_norm": 1.0,
                                                           "learning_rate": 2e-4, "epoch": step / 10}))
        os.makedirs(os.path.join(self.out, "checkpoint-10"))
        self.assertIs(control, call("on_save"))
        self.assertIs(control, call("on_evaluate", metrics={"eval_loss": 3.0}))
        self.assertIs(control, call("on_log", logs={"train_runtime": 1.0, "train_samples_per_second": 9.0,
                                                    "train_steps_per_second": 1.0, "total_flos": 0.0, "train_loss": 3.5}))
        self.assertIs(control, call("on_train_end"))
        logs = [c for c in rec.calls if c[0] == "log"]
        self.assertEqual([5, 10], [c[1] for c in logs])
        self.assertIn(("record_checkpoint", 10, "checkpoint-10"), rec.calls)
        self.assertEqual(("close",), rec.calls[-1])

    def test_realDefaults_runConfig(self):
        # Every field at its default; the Trainer computed max_steps = 100 (args.max_steps is -1).
        cfg = hf.run_config_from_args(self.src.training_arguments(output_dir=self.out), max_steps=100)
        self.assertEqual({"peak_lr": 5e-5, "shape": "linear", "warmup_steps": 0, "min_lr": 0.0, "total_steps": 100},
                         cfg["lr_schedule"])
        self.assertEqual((8, 42, 1.0), (cfg["batch_size"], cfg["seed"], cfg["grad_clip"]))
        self.assertNotIn("hardware", cfg)


if __name__ == "__main__":
    unittest.main()
