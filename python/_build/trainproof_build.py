"""A PEP 517 build backend in the standard library only, so `pip install --no-build-isolation ./python`
works offline on a machine without `wheel` (setuptools < 70 needs it for bdist_wheel). It packs the
pure-Python package `trainproof/` into a py3-none-any wheel (PEP 427) or an sdist."""
import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME, VERSION = "trainproof", "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST_INFO = "%s-%s.dist-info" % (NAME, VERSION)

METADATA = """Metadata-Version: 2.1
Name: trainproof
Version: %s
Summary: Record checkpoints and training logs into a trainproof ledger from inside a Python training loop
Requires-Python: >=3.8
""" % VERSION

WHEEL = """Wheel-Version: 1.0
Generator: trainproof_build
Root-Is-Purelib: true
Tag: py3-none-any
"""


def _package_files():
    for base, dirs, files in os.walk(os.path.join(ROOT, NAME)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for f in sorted(files):
            if f.endswith(".py"):
                full = os.path.join(base, f)
                yield full, os.path.relpath(full, ROOT).replace(os.sep, "/")


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = os.path.join(metadata_directory, DIST_INFO)
    os.makedirs(d, exist_ok=True)
    for name, text in (("METADATA", METADATA), ("WHEEL", WHEEL)):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    return DIST_INFO


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    record = []

    def add(z, arc, data):
        z.writestr(zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0)), data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (arc, digest, len(data)))

    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for full, arc in _package_files():
            with open(full, "rb") as f:
                add(z, arc, f.read())
        add(z, DIST_INFO + "/METADATA", METADATA.encode())
        add(z, DIST_INFO + "/WHEEL", WHEEL.encode())
        record.append(DIST_INFO + "/RECORD,,")
        z.writestr(zipfile.ZipInfo(DIST_INFO + "/RECORD", date_time=(2020, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")
    return name


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build/trainproof_build.py"] + [a for _, a in _package_files()]:
            t.add(os.path.join(ROOT, rel), arcname=base + "/" + rel)
        info = tarfile.TarInfo(base + "/PKG-INFO")
        data = METADATA.encode()
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return name
