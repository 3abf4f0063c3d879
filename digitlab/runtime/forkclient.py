"""The server's side of the fork server (digitlab.runtime.forkserver, which says the protocol).

`ForkServer.spawn(module, header, env, files)` asks it for a child and gives back a
ForkedChild: the parts of subprocess.Popen that DigitLab's callers use (pid, the stdin, stdout
and stderr pipes, poll, wait, communicate, send_signal, kill, returncode). It gives None when
there is no fork server (not Linux, it could not start, it died, it did not answer): the caller
starts the child the slow way, with Popen. Each such event is one sentence in the log, never a
traceback.

The fork server starts on the first spawn (or `warm()`, in a thread of its own, at the app's
start), from whatever thread asks: it watches its socket and its parent, not a thread. Many
threads may spawn at once: each request carries its own answer socket.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import IO

READY_S = 300.0  # how long the fork server may take to import (seconds; more on a busy machine)
ANSWER_S = 60.0  # how long it may take to fork a child before it counts as lost
ALIVE_S = 0.5  # while waiting for its answer, how often to look whether it is still alive
LAUNCHES = 3  # fork servers started per process at most; past that, every child is Popen's
_MESSAGE = 1 << 16
_ONE_THREAD = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")
_log = logging.getLogger(__name__)


def available() -> bool:
    """Linux with fd passing and pidfds (5.3+); elsewhere children start with Popen."""
    return (sys.platform.startswith("linux") and hasattr(socket, "send_fds")
            and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal"))


def _closing(*fds: int) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


class ForkServer:
    """One fork server process, started when first needed, started again if it died (at most
    LAUNCHES times)."""

    def __init__(self, command: list[str], modules: tuple[str, ...],
                 environment: Callable[[], dict[str, str]] = lambda: dict(os.environ)):
        self.command, self.modules, self.environment = command, modules, environment
        self._lock = threading.Lock()  # one thread starts the fork server; the others wait
        self._sending = threading.Lock()
        self._sock: socket.socket | None = None
        self._proc: subprocess.Popen | None = None
        self._launches = 0

    @property
    def pid(self) -> int | None:
        """The fork server's pid while it serves."""
        proc = self._proc
        return proc.pid if proc is not None and self._sock is not None else None

    def warm(self) -> threading.Thread:
        """Start the fork server in a thread of its own, so that the first child need not wait
        for its imports."""
        thread = threading.Thread(target=self._connect, name="digitlab-forkserver-warm",
                                  daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """End the fork server (its children die with it)."""
        with self._lock:
            sock, proc, self._sock, self._proc = self._sock, self._proc, None, None
        if sock is not None:
            sock.close()
        if proc is not None:
            proc.kill()
            proc.wait()

    def _connect(self) -> socket.socket | None:
        with self._lock:
            if self._sock is None and self._launches < LAUNCHES and available():
                self._launches += 1
                self._sock, self._proc = self._launch()
            return self._sock

    def _launch(self) -> tuple[socket.socket | None, subprocess.Popen | None]:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # It computes nothing itself: one BLAS thread (none started), a single-threaded process
        # to fork; each child sets its own from its environment.
        env = {**self.environment(), **dict.fromkeys(_ONE_THREAD, "1")}
        try:
            proc = subprocess.Popen([*self.command, str(theirs.fileno())],
                                    pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, env=env)
        except OSError as exc:
            mine.close()
            _log.warning("The fork server could not start (%s): child processes start the "
                         "slow way.", exc)
            return None, None
        finally:
            theirs.close()
        try:
            mine.settimeout(READY_S)
            mine.sendall(json.dumps({"modules": list(self.modules)}).encode())
            said = json.loads(mine.recv(_MESSAGE) or b"{}")
        except (OSError, ValueError) as exc:
            said = {"error": str(exc) or type(exc).__name__}
        if "ready" not in said:
            mine.close()
            proc.kill()
            proc.wait()
            _log.warning("The fork server did not start (%s): child processes start the slow "
                         "way.", said.get("error", f"it ended with code {proc.returncode}"))
            return None, None
        mine.settimeout(None)
        return mine, proc

    def _lost(self, sock: socket.socket, why: str) -> None:
        """The fork server at `sock` no longer serves: end it; the next spawn starts another."""
        with self._lock:
            if self._sock is not sock:  # another thread saw it first
                return
            proc, self._sock, self._proc = self._proc, None, None
        sock.close()
        if proc is not None:
            proc.kill()
            proc.wait()
        _log.warning("The fork server was lost (%s): this child starts the slow way.", why)

    def spawn(self, module: str, header: dict, env: dict[str, str],
              files: list[int]) -> ForkedChild | None:
        """`module.main([header])` in a child forked by the fork server, with `env` as its
        environment, the shared files `files` (header["files"]'s descriptors, in order) and
        pipes for stdin, stdout and stderr; None if there is no fork server to do it."""
        sock = self._connect()
        if sock is None:
            return None
        answer, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        (in_r, in_w), (out_r, out_w), (err_r, err_w) = os.pipe(), os.pipe(), os.pipe()
        request = json.dumps({"module": module, "header": header, "env": env}).encode()
        message, fds, why = b"", [], "it ended"
        try:
            with self._sending:
                socket.send_fds(sock, [request], [theirs.fileno(), in_r, out_w, err_w, *files])
            message, fds = self._answer_of(answer)
        except OSError as exc:
            if exc.errno == errno.EMSGSIZE:  # too large a request: this child only
                message, why = b'{"error": "the request was too large"}', ""
            else:
                why = str(exc) or type(exc).__name__
        finally:
            theirs.close()
            _closing(in_r, out_w, err_w)  # the child's ends are the child's now
        said = json.loads(message) if message else {}
        if "pid" in said and fds:
            answer.settimeout(None)
            return ForkedChild(module, said["pid"], fds[0], answer, in_w, out_r, err_r)
        answer.close()
        _closing(in_w, out_r, err_r, *fds)
        if "error" in said:
            _log.warning("The fork server could not start a child (%s): it starts the slow "
                         "way.", said["error"])
        else:
            self._lost(sock, why)
        return None


    def _answer_of(self, answer: socket.socket) -> tuple[bytes, list[int]]:
        """The fork server's answer to one request, within ANSWER_S; OSError (TimeoutError) if
        none comes, at once if the fork server has died meanwhile (a request it never read
        holds the answer socket's other end in the dead server's queue: no end of file)."""
        proc, deadline = self._proc, time.monotonic() + ANSWER_S
        answer.settimeout(ALIVE_S)
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(answer, _MESSAGE, 1)
                return message, fds
            except TimeoutError:
                if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                    raise


def _closed(answer: socket.socket, pidfd: int) -> None:
    answer.close()
    _closing(pidfd)


class ForkedChild:
    """A child of the fork server, as the parts of subprocess.Popen DigitLab uses. Its exit
    code comes from the fork server (only a parent can wait for a process); `pidfd` names the
    process for signals, race-free, until this object goes."""

    def __init__(self, module: str, pid: int, pidfd: int, answer: socket.socket, stdin: int,
                 stdout: int, stderr: int):
        self.args, self.pid, self.pidfd = [module], pid, pidfd
        self.returncode: int | None = None
        self.cpu_s: float | None = None  # the CPU it used, once it has ended (benchmarks)
        # closed as Popen's are: by communicate, or by the caller
        self.stdin: IO[bytes] = open(stdin, "wb")  # noqa: SIM115
        self.stdout: IO[bytes] = open(stdout, "rb")  # noqa: SIM115
        self.stderr: IO[bytes] = open(stderr, "rb")  # noqa: SIM115
        self._answer = answer
        self._waiting = threading.Lock()
        self._output: dict | None = None  # communicate's reads so far, by stream
        weakref.finalize(self, _closed, answer, pidfd)

    def _read_code(self, timeout: float | None) -> int | None:
        """The exit code, if it comes within `timeout` (None: wait for it)."""
        if self.returncode is not None:
            return self.returncode
        self._answer.settimeout(timeout)
        try:
            message = self._answer.recv(_MESSAGE)
        except (BlockingIOError, TimeoutError):
            return None
        except OSError:
            message = b""
        if message:
            said = json.loads(message)
            self.returncode, self.cpu_s = said["returncode"], said.get("cpu_s")
        else:  # the fork server died, and its children with it (PDEATHSIG): once it is gone
            with selectors.DefaultSelector() as gone:
                gone.register(self.pidfd, selectors.EVENT_READ)
                if not gone.select(timeout):
                    return None
            self.returncode = -signal.SIGKILL
        return self.returncode

    def poll(self) -> int | None:
        if not self._waiting.acquire(blocking=False):  # another thread is waiting
            return self.returncode
        try:
            return self._read_code(0.0)
        finally:
            self._waiting.release()

    def wait(self, timeout: float | None = None) -> int:
        with self._waiting:
            code = self._read_code(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.pidfd, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, input: bytes | None = None,
                    timeout: float | None = None) -> tuple[bytes, bytes]:
        """As Popen's (without input): close stdin, read stdout and stderr to their ends, wait;
        subprocess.TimeoutExpired after `timeout` s, and a later call goes on from there."""
        if input:
            raise ValueError("a forked child takes no input through communicate")
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._output is None:
            self._output = {self.stdout: [], self.stderr: []}
            with contextlib.suppress(BrokenPipeError):
                self.stdin.close()
        with selectors.DefaultSelector() as reading:
            for stream in self._output:
                if not stream.closed:
                    reading.register(stream, selectors.EVENT_READ, stream)
            while reading.get_map():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise subprocess.TimeoutExpired(self.args, timeout or 0.0)
                for key, _ in reading.select(left):
                    data = os.read(key.fd, 32768)
                    if data:
                        self._output[key.data].append(data)
                    else:
                        reading.unregister(key.data)
                        key.data.close()
        self.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return b"".join(self._output[self.stdout]), b"".join(self._output[self.stderr])
