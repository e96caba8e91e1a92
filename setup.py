"""The native core's build: everything else about the package is in pyproject.toml.

``pip install .`` builds ``cleantext._native`` from ``native/`` (Rust, PyO3)
where a Rust toolchain is found; where none is, or the build fails, the
install still succeeds and cleantext runs on its pure-Python engine
(``cleantext config`` says which). ``CLEANTEXT_NATIVE=0`` skips the native
build; ``CLEANTEXT_NATIVE=1`` makes a failed build an error (release wheels).
"""

import os

from setuptools import setup
from setuptools_rust import Binding, RustExtension

NATIVE = os.environ.get("CLEANTEXT_NATIVE", "auto")
if NATIVE not in ("0", "1", "auto"):
    raise SystemExit(f"CLEANTEXT_NATIVE must be 0, 1 or auto, not {NATIVE!r}")

setup(
    # One wheel per platform for every CPython from 3.11 on: the core uses the stable ABI (abi3).
    options={} if NATIVE == "0" else {"bdist_wheel": {"py_limited_api": "cp311"}},
    rust_extensions=[]
    if NATIVE == "0"
    else [
        RustExtension(
            "cleantext._native",
            path="native/Cargo.toml",
            binding=Binding.PyO3,
            optional=NATIVE != "1",
            py_limited_api="auto",
            debug=False,  # an editable install too gets the optimized core the benchmarks measure
        )
    ],
)
