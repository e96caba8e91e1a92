"""Run one call at a time in a worker process that is killed and replaced when it outlasts its time limit.

A Python-level time limit cannot stop a long call inside a C library (lxml
parsing a hostile page holds the interpreter until it returns, and the
process does not even see SIGTERM until then). A call in another process can
be stopped: the worker is killed, a new one is started for the next call,
and the caller gets a :class:`TimeoutError`. This is how datatrove bounds
its HTML extraction, and how cleantext bounds its own.

Example::

    >>> worker = Sandbox(len)
    >>> worker.call("four", timeout=60)
    4
    >>> worker.close()
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["Sandbox", "SandboxCrash", "SandboxUnavailable", "can_sandbox"]


class SandboxCrash(RuntimeError):
    """The worker died while running a call (a crash in a C library, the memory killer)."""


class SandboxUnavailable(SandboxCrash):
    """No worker could be started here (no process may be created, or it failed before it was ready)."""


def can_sandbox() -> bool:
    """Whether this system can run calls in a worker process (POSIX: pipes passed to a child by number)."""
    return os.name == "posix"


class Sandbox:
    """A worker process for ``function``; :meth:`call` sends it one argument and waits at most ``timeout`` seconds.

    ``function`` must be importable by name (a module-level function). The
    worker is a new interpreter running :func:`serve`, not a fork
    and not a re-run of the caller's main script: it shares no threads,
    locks or open files with the caller, and a script without a ``__main__``
    guard is not run twice. It starts on the first call and after every kill
    (its start, which imports the function's module, does not count against
    a call's time limit); :meth:`close` ends it.
    """

    STARTUP_TIMEOUT = 120.0
    """Seconds a new worker may take to import the function's module and say it is ready."""

    def __init__(self, function: Callable[[Any], Any], *, preload: tuple[str, ...] = ()) -> None:
        self.target = f"{function.__module__}:{function.__qualname__}"
        self.preload = preload  # modules the function imports late, imported before the worker is ready
        self._process: subprocess.Popen[bytes] | None = None
        self._requests: Connection | None = None
        self._replies: Connection | None = None

    def call(self, argument: Any, *, timeout: float) -> Any:
        """``function(argument)`` in the worker; :class:`TimeoutError` when it takes longer than ``timeout``.

        An exception raised by the function is raised here again (as
        :class:`RuntimeError` with its traceback when it cannot be pickled);
        a worker that dies is :class:`SandboxCrash`. Whatever interrupts the
        wait (Ctrl-C, SIGTERM) kills the worker before it goes on.
        """
        requests, replies = self._started()
        try:
            requests.send(argument)
            answered = replies.poll(timeout)
            if answered:
                kind, value = replies.recv()
        except (EOFError, OSError):
            self._kill()
            raise SandboxCrash("the worker process died") from None
        except BaseException:
            self._kill()
            raise
        if not answered:
            self._kill()
            raise TimeoutError(f"took longer than {timeout:g} s")
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """End the worker, if one is running."""
        self._kill()

    def _started(self) -> tuple[Connection, Connection]:
        if self._process is not None and self._process.poll() is None and self._requests and self._replies:
            return self._requests, self._replies
        self._kill()
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        # The worker imports cleantext as this process does, from a checkout too.
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, sys.path))}
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _ENTRY, self.target, str(request_read), str(reply_write), *self.preload],
                pass_fds=(request_read, reply_write),
                stdin=subprocess.DEVNULL,
                env=environment,
            )
        except OSError as error:
            os.close(request_write)
            os.close(reply_read)
            raise SandboxUnavailable(f"cannot start a worker process: {error.strerror or error}") from None
        finally:
            os.close(request_read)
            os.close(reply_write)
        self._requests, self._replies = Connection(request_write), Connection(reply_read)
        try:
            if not self._replies.poll(self.STARTUP_TIMEOUT) or self._replies.recv() != ("ready", None):
                raise EOFError
        except (EOFError, OSError):
            self._kill()
            raise SandboxUnavailable("the worker process did not start") from None
        except BaseException:
            self._kill()
            raise
        return self._requests, self._replies

    def _kill(self) -> None:
        process, requests, replies = self._process, self._requests, self._replies
        self._process = self._requests = self._replies = None
        for connection in (requests, replies):
            if connection is not None:
                connection.close()
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()

    def __del__(self) -> None:
        self._kill()


_ENTRY = "import sys; from cleantext.sandbox import serve; serve(*sys.argv[1:])"


def serve(target: str, request_fd: str, reply_fd: str, *preload: str) -> None:
    """The worker's loop: one argument in, ``("ok", result)`` or ``("error", exception)`` out."""
    requests, replies = Connection(int(request_fd)), Connection(int(reply_fd))
    module, _, name = target.partition(":")
    function = getattr(importlib.import_module(module), name)
    for extra in preload:
        importlib.import_module(extra)
    replies.send(("ready", None))
    while True:
        try:
            argument = requests.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", function(argument))
        except Exception as error:
            reply = ("error", error)
        try:
            replies.send(reply)
        except Exception:  # the exception or the result does not pickle
            replies.send(("error", RuntimeError(traceback.format_exc())))
