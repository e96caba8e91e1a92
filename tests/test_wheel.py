"""The built wheel ships the rule packs and its console script works outside the checkout.

Both wheels here are pure Python: one built with ``CLEANTEXT_NATIVE=0``, one
on a machine without a Rust toolchain (cargo taken off the ``PATH``), where
the install must still succeed. The native core itself is built by the
test command's editable install and held to the Python engine by
``tests/test_native.py``.
"""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def build_environment(how):
    if how == "without native":
        return {**os.environ, "CLEANTEXT_NATIVE": "0"}
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    if shutil.which("cargo", path=path):
        pytest.skip("cargo is on the system path: no machine without a toolchain to be had here")
    return {**os.environ, "PATH": path, "CLEANTEXT_NATIVE": "auto"}


@pytest.mark.parametrize("how", ["without native", "without a Rust toolchain"])
def test_the_wheel_ships_the_rules_and_runs_from_a_fresh_install(tmp_path, how):
    # A clean copy of the checkout: the native core an editable install built in place must not ride along.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "target", "*.so", "build", "*.egg-info"))
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
        capture_output=True,
        env=build_environment(how),
    )
    (wheel,) = wheels.glob("cleantext_toolkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not any("_native" in name for name in names)
    packs = sorted(p.name for p in (ROOT / "rules").glob("*") if p.suffix in (".toml", ".json"))
    assert sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("cleantext/rules/")) == packs

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONUTF8": "1"}
    where = subprocess.run(
        [sys.executable, "-c", "import cleantext.rules as r; print(r.rules_dir())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()) == target / "cleantext" / "rules"
    seed = ROOT / "seeds" / "003_0175700b6812221d.txt"
    completed = subprocess.run(
        [str(target / "bin" / "cleantext"), "clean", str(seed)], cwd=tmp_path, env=env, capture_output=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.decode("utf-8") == (ROOT / "tests" / "golden" / (seed.stem + ".clean.txt")).read_text(
        encoding="utf-8"
    )
