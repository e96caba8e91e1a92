"""The startup cache: what a process derives before its first document, kept on disk for the next one.

Before it cleans anything, a process derives the plan's triggers from the
rules' patterns (:func:`cleantext.triggers.derive`), translates the patterns
for the native core (:func:`cleantext.translate.translate`) and reads Unicode
tables (the characters a normalization form may change, the members of class
escapes, case folding): about half a second, each time. Those are pure
functions of their arguments and of the code and tables that compute them, so
their values are kept in one file, loaded whole by the first call that needs
one and written back when the process exits.

Nothing stale is ever read: the file is named by a fingerprint of cleantext's
own sources, the native core's build, and the versions of Python, ``regex``
and Unicode; a change to any of them starts a new file. A file that cannot be
read is ignored (and replaced), one that cannot be written is not written: the
cache never stops a run, and a run never depends on it.

Where: ``CLEANTEXT_CACHE_DIR``, else the user's cache folder
(``~/.cache/cleantext`` on Linux, by :mod:`platformdirs`).
``CLEANTEXT_CACHE=off`` keeps the values in memory only.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import pickle
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
import regex

__all__ = ["MAX_ENTRIES", "cache_path", "cache_source", "persisted", "persisted_by", "save"]

Function = TypeVar("Function", bound=Callable[..., Any])

MAX_ENTRIES = 10_000
"""The most values kept (the default pipeline's are some 460, about 1 KB each): the functions cached
are called with the rules' patterns; beyond this many (packs edited many times over, a program
translating patterns of its own), new ones are not kept, and the file stays at a few megabytes."""

STALE_DAYS = 30
"""A cache file of another fingerprint that nothing has written for this many days is deleted."""

_PREFIX = "startup-"
_entries: dict[tuple[Any, ...], Any] | None = None
_added = 0  # values added since the file was read or written
_loading = threading.Lock()


def cache_path() -> Path | None:
    """The file this installation's values are kept in, or None when the cache is off (``CLEANTEXT_CACHE=off``)."""
    if os.environ.get("CLEANTEXT_CACHE", "on").lower() == "off":
        return None
    try:
        folder = os.environ.get("CLEANTEXT_CACHE_DIR") or platformdirs.user_cache_dir("cleantext", appauthor=False)
        return Path(folder) / f"{_PREFIX}{_fingerprint()}.pickle"
    except Exception:  # no home folder, an unreadable source: no file, the values are kept in memory
        return None


def cache_source() -> str:
    """What chose :func:`cache_path`: ``CLEANTEXT_CACHE=off``, ``CLEANTEXT_CACHE_DIR`` or the user's cache folder."""
    if os.environ.get("CLEANTEXT_CACHE", "on").lower() == "off":
        return "CLEANTEXT_CACHE=off: kept in memory only"
    if cache_path() is None:
        return "no cache folder: kept in memory only"
    return "CLEANTEXT_CACHE_DIR" if os.environ.get("CLEANTEXT_CACHE_DIR") else "the user's cache folder"


@functools.lru_cache(maxsize=1)
def _fingerprint() -> str:
    """A hash of everything the cached values depend on besides their arguments."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    for core in sorted(package.glob("_native*")):
        status = core.stat()
        digest.update(f"{core.name} {status.st_size} {status.st_mtime_ns}".encode())
    digest.update(f"{sys.version} {regex.__version__} {unicodedata.unidata_version}".encode())
    return digest.hexdigest()[:20]


def persisted(function: Function) -> Function:
    """Remember ``function``'s values by its (hashable, picklable) arguments, in this process and
    in the cache file. Only for pure functions, whose value the cache's fingerprint and the
    arguments determine; each call gets the one value kept (as with ``functools.lru_cache``)."""
    return persisted_by(None)(function)


def persisted_by(key_of: Callable[..., Any] | None) -> Callable[[Function], Function]:
    """:func:`persisted`, with the values kept by ``key_of(*args, **keywords)`` (hashable, picklable),
    which must tell apart any two calls whose values differ: a digest of a long argument, say."""

    def decorate(function: Function) -> Function:
        return _remembering(function, key_of)

    return decorate


def _remembering(function: Function, key_of: Callable[..., Any] | None) -> Function:
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def remembered(*args: Any, **keywords: Any) -> Any:
        global _added
        entries = _loaded()
        key = (name, args, tuple(sorted(keywords.items()))) if key_of is None else (name, key_of(*args, **keywords))
        try:
            return entries[key]
        except KeyError:
            pass
        value = function(*args, **keywords)
        if len(entries) < MAX_ENTRIES:
            entries[key] = value
            _added += 1
        return value

    return remembered  # type: ignore[return-value]


def _loaded() -> dict[tuple[Any, ...], Any]:
    """The values kept, read from the cache file on first use (an empty dict where there is none)."""
    global _entries
    if _entries is not None:
        return _entries
    with _loading:  # the core's patterns are prepared on several threads
        if _entries is None:
            _entries = _read(cache_path())
    return _entries


def _read(path: Path | None) -> dict[tuple[Any, ...], Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as file:
            entries = pickle.load(file)
    except Exception:  # missing, unreadable, truncated or from elsewhere: computed again, and replaced
        return {}
    return entries if isinstance(entries, dict) else {}


def save() -> None:
    """Write the values added since the cache file was read, if any (a temporary file renamed
    over it: a reader sees the old file or the new one, whole). Runs when the process exits."""
    global _added
    path = cache_path()
    if path is None or _entries is None or not _added:
        return
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=path.name, suffix=".tmp", delete=False) as file:
            temporary = Path(file.name)
            pickle.dump(_entries, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        temporary = None
        _added = 0
        _forget_stale(path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a read-only or full disk, a value that does not pickle: the next process computes them again
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _forget_stale(kept: Path) -> None:
    """Delete the cache files of other fingerprints (other versions, older builds) left unwritten for
    :data:`STALE_DAYS` days."""
    oldest = time.time() - STALE_DAYS * 86_400
    for other in kept.parent.glob(f"{_PREFIX}*.pickle"):
        if other != kept and other.stat().st_mtime < oldest:
            other.unlink(missing_ok=True)


atexit.register(save)
