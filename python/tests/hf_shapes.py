"""transformers' own callback protocol and argument objects, read from its source without importing it
(transformers is not installed here, and its import needs huggingface_hub, tokenizers, ...).

The wheel is found from $TRAINPROOF_TRANSFORMERS_WHEEL, else the machine image's local package mirror
(/opt/pypi-more/files/transformers-*.whl). From trainer_callback.py and training_args.py (parsed with
ast, nothing executed) come: the TrainerCallback hook names and parameters, the keyword arguments
CallbackHandler.call_event passes to every hook and the extra ones each hook gets (logs=, metrics=),
and the dataclass fields with their literal defaults of TrainingArguments, TrainerState and
TrainerControl, from which objects of the real shape are built.
"""
import ast
import glob
import os
import types
import zipfile


def wheel():
    p = os.environ.get("TRAINPROOF_TRANSFORMERS_WHEEL")
    if p and os.path.exists(p):
        return p
    found = sorted(glob.glob("/opt/pypi-more/files/transformers-*.whl"))
    return found[-1] if found else None


class Source(object):
    def __init__(self, whl):
        self.wheel = whl
        with zipfile.ZipFile(whl) as z:
            self.callback = ast.parse(z.read("transformers/trainer_callback.py").decode("utf-8"))
            self.args = ast.parse(z.read("transformers/training_args.py").decode("utf-8"))

    @staticmethod
    def _class(tree, name):
        for n in ast.walk(tree):
            if isinstance(n, ast.ClassDef) and n.name == name:
                return n
        raise KeyError(name)

    def hooks(self):
        """{hook name: (positional parameter names after self, has **kwargs)} of TrainerCallback."""
        out = {}
        for f in self._class(self.callback, "TrainerCallback").body:
            if isinstance(f, ast.FunctionDef) and f.name.startswith("on_"):
                out[f.name] = ([a.arg for a in f.args.args[1:]], f.args.kwarg is not None)
        return out

    def call_event_kwargs(self):
        """The keyword names CallbackHandler.call_event passes to every hook (model=, optimizer=, ...)."""
        for f in self._class(self.callback, "CallbackHandler").body:
            if isinstance(f, ast.FunctionDef) and f.name == "call_event":
                for n in ast.walk(f):
                    if isinstance(n, ast.Call) and n.keywords and any(k.arg for k in n.keywords):
                        return [k.arg for k in n.keywords if k.arg]
        raise KeyError("call_event")

    def event_extra_kwargs(self):
        """{hook: [extra keyword names]} from CallbackHandler's self.call_event("on_x", args, state, control, k=...)."""
        out = {}
        for n in ast.walk(self._class(self.callback, "CallbackHandler")):
            if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "call_event" and n.args \
                    and isinstance(n.args[0], ast.Constant):
                out[n.args[0].value] = [k.arg for k in n.keywords if k.arg]
        return out

    def fields(self, tree, cls):
        """{field: literal default or None} of a dataclass (class-level names such as default_optim resolved)."""
        c = self._class(tree, cls)
        consts = {}
        for n in ast.walk(c):
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                try:
                    consts.setdefault(n.targets[0].id, ast.literal_eval(n.value))
                except ValueError:
                    pass
        out = {}
        for n in c.body:
            if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
                v = n.value
                if isinstance(v, ast.Call) and getattr(v.func, "id", None) == "field":
                    v = next((k.value for k in v.keywords if k.arg == "default"), None)
                out[n.target.id] = self._literal(v, consts)
        return out

    @staticmethod
    def _literal(v, consts):
        if v is None:
            return None
        if isinstance(v, ast.Name):
            return consts.get(v.id)
        try:
            return ast.literal_eval(v)
        except ValueError:
            return None

    def properties(self, cls):
        return [f.name for f in self._class(self.args, cls).body if isinstance(f, ast.FunctionDef)
                and any(getattr(d, "id", None) == "property" for d in f.decorator_list)]

    def training_arguments(self, **over):
        """An object with every TrainingArguments field at its real default (world_size: a property, 1
        on one process), `over` applied. Enum-typed fields keep their string defaults, as the dataclass
        holds them until __post_init__ converts them to str-subclass enums (equal to the strings)."""
        a = self.fields(self.args, "TrainingArguments")
        if "world_size" in self.properties("TrainingArguments"):
            a["world_size"] = 1
        unknown = set(over) - set(a)
        if unknown:
            raise KeyError("not TrainingArguments fields in this transformers version: %s" % sorted(unknown))
        a.update(over)
        return types.SimpleNamespace(**a)

    def trainer_state(self, **over):
        s = self.fields(self.callback, "TrainerState")
        s.update(over)
        return types.SimpleNamespace(**s)

    def trainer_control(self):
        return types.SimpleNamespace(**self.fields(self.callback, "TrainerControl"))
