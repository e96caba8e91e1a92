"""The built wheel ships the rule packs and its console script works outside the checkout."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_the_rules_and_runs_from_a_fresh_install(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("cleantext_toolkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packs = sorted(p.name for p in (ROOT / "rules").glob("*.toml"))
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
