"""Write results: atomically to files (temporary file, then rename), or to a stream.

A failed write never leaves a truncated or half-written file behind: the data
goes to a temporary file beside the target, is flushed to disk, and only then
replaces the target in one rename. A new file gets the permissions the umask
allows, as one made by ``open`` would; a replaced file keeps its own.

Example::

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_atomic(target, "clean\\n")
    >>> target.read_text()
    'clean\\n'
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["AtomicFile", "OutputError", "remove_unfinished", "write_atomic"]


class OutputError(OSError):
    """An output that cannot be written; the message names it and says why."""


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it, and back
    os.umask(mask)
    return mask


class AtomicFile:
    """A file written beside its target and renamed over it on :meth:`commit`.

    Until then the target is untouched; :meth:`abort` (or an exception inside a
    ``with`` block) removes the temporary file and leaves nothing behind.
    Missing parent folders are created only with ``make_parents``; otherwise,
    like a target that cannot be written, they raise :class:`OutputError`.
    Keeps the permission bits, owner and group of a file it replaces, or
    refuses to replace it. The temporary file's name holds the process id, so
    that one left behind by a killed run is removed by the next that writes
    into the same folder.
    """

    def __init__(self, path: Path, *, make_parents: bool = False) -> None:
        self.path = path
        self.temporary: Path | None = None
        self.mode: int | None = None
        self.owner: tuple[int, int] | None = None
        if path.exists() and not path.is_file():
            # A device or pipe (/dev/stdout, /dev/full, a FIFO) is written as it
            # is: renaming over it would replace the device itself.
            try:
                self.stream = path.open("wb")
            except OSError as error:
                raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
            return
        folder = path.parent
        try:
            if make_parents:
                folder.mkdir(parents=True, exist_ok=True)
            elif not folder.is_dir():
                raise OutputError(f"cannot write {path}: no folder {folder}")
            if path.exists():
                existing = path.stat()
                self.mode = existing.st_mode & 0o7777
                self.owner = (existing.st_uid, existing.st_gid)
            else:
                self.mode = 0o666 & ~_umask()
            _remove_leftovers(folder)
            with _termination_held():
                # Made and registered as one step: a termination removes what is registered.
                handle, temporary = tempfile.mkstemp(
                    prefix=f".{path.name}.{_LEFTOVER_TAG}{os.getpid()}.", suffix=".tmp", dir=folder
                )
                self.temporary = Path(temporary)
                _UNFINISHED.add(self.temporary)
        except OutputError:
            raise
        except OSError as error:
            raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
        self.stream = os.fdopen(handle, "wb")

    def commit(self) -> None:
        """Flush to disk and put the file in place in one rename."""
        try:
            self.stream.flush()
            if self.temporary is None:
                self.stream.close()
                return
            os.fsync(self.stream.fileno())
            self.stream.close()
            self._keep_owner()
            if self.mode is not None:
                os.chmod(self.temporary, self.mode)
            os.replace(self.temporary, self.path)
            _UNFINISHED.discard(self.temporary)
        except BaseException:
            self.abort()
            raise

    def _keep_owner(self) -> None:
        assert self.temporary is not None
        if self.owner is None:
            return
        made = self.temporary.stat()
        if (made.st_uid, made.st_gid) == self.owner:
            return
        try:
            os.chown(self.temporary, *self.owner)
        except PermissionError:
            uid, gid = self.owner
            raise OutputError(
                f"cannot replace {self.path}: it belongs to user {uid} and group {gid}, which this user cannot give "
                "a new file; it is left as it was"
            ) from None

    def abort(self) -> None:
        """Drop what was written; the target stays as it was."""
        if not self.stream.closed:
            # Flushing what was buffered may fail too; nothing is kept either way.
            with contextlib.suppress(OSError):
                self.stream.close()
        if self.temporary is not None:
            self.temporary.unlink(missing_ok=True)
            _UNFINISHED.discard(self.temporary)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


_LEFTOVER_TAG = "cleantext-"
_swept: set[Path] = set()

_UNFINISHED: set[Path] = set()
"""This process's temporary files not yet put in place or dropped."""


def remove_unfinished() -> None:
    """Remove this process's temporary files not yet put in place or dropped (on termination: a
    signal may land between a file's making and the ``with`` block that would drop it)."""
    for path in list(_UNFINISHED):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        _UNFINISHED.discard(path)


@contextlib.contextmanager
def _termination_held() -> Iterator[None]:
    """Hold SIGTERM and SIGINT back (where the system can) until the block is done."""
    held = {signal.SIGTERM, signal.SIGINT}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _remove_leftovers(folder: Path) -> None:
    """Remove the temporary files of killed runs in ``folder`` (those whose process is gone), once per folder."""
    if folder in _swept:
        return
    _swept.add(folder)
    try:
        names = [
            entry.name for entry in os.scandir(folder) if entry.name.endswith(".tmp") and _LEFTOVER_TAG in entry.name
        ]
    except OSError:
        return
    for name in names:
        process = name.rsplit(_LEFTOVER_TAG, 1)[1].split(".", 1)[0]
        if process.isdigit() and not _running(int(process)):
            with contextlib.suppress(OSError):
                (folder / name).unlink()


def _running(process: int) -> bool:
    try:
        os.kill(process, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content`` (str is written as UTF-8) in one rename."""
    with AtomicFile(path) as target:
        target.stream.write(content.encode("utf-8") if isinstance(content, str) else content)
