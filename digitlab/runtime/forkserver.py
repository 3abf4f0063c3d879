"""The fork server: one process that has imported what DigitLab's children need (NumPy,
scikit-learn, the child modules) and forks a fresh child for each request, so that a child
starts in milliseconds instead of spending 2-3 s of CPU importing scikit-learn.

`python -m digitlab.runtime.forkserver FD`, started by digitlab.runtime.forkclient (never by a
fork of the server: the server runs many threads, and a fork copies only one of them). FD is its
end of an AF_UNIX SOCK_SEQPACKET socket; every message is JSON, descriptors travel with it
(SCM_RIGHTS):
- the server says {"modules": [...]}; this process imports them (without pandas, as a child
  started by childproc does) and answers {"ready": pid}, or {"error": sentence} and ends;
- a request is {"module", "header", "env"} with the descriptors [answer socket, stdin, stdout,
  stderr, *the header's shared files] (the child's ends). It forks; the child takes the pipes
  as its 0, 1 and 2, the environment as its own, its BLAS and OpenMP threads from that environment
  (threadpoolctl: NumPy is loaded already, so the variables alone would come too late) and runs
  `module.main([header])` with the files' new numbers and this process as header["parent"];
- on the answer socket: {"pid": pid} with a pidfd of the child (the server signals it without
  racing a reused pid), then {"returncode": code, "cpu_s": its CPU seconds} once it ended;
- it ends, killing its children, when the server's end of the socket closes (the server
  ended, even killed) or the server is no longer its parent. Each child dies with it
  (childproc.die_with_parent: the header's parent is this process).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import sys
import traceback

from digitlab.runtime import childproc

MAX_MESSAGE = 1 << 20  # a request's bytes (its header and environment: a few kB)
MAX_FDS = 64  # a request's descriptors: 4 and the shared files
CHECK_S = 1.0  # how often it looks whether the server is still its parent
# The variables a fresh Python's BLAS and OpenMP would read their threads from, first first.
_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")
_OPENMP_VARS = ("OMP_NUM_THREADS",)


def _threads(env: dict[str, str], names: tuple[str, ...]) -> int:
    """The threads a fresh process started with `env` would give a library reading `names`:
    the first set to a positive number, else one per core it may use."""
    for name in names:
        with contextlib.suppress(ValueError):
            if int(env.get(name, "")) > 0:
                return int(env[name])
    return len(os.sched_getaffinity(0))


def _child(request: dict, fds: list[int], mine: list[int], threadpools) -> None:
    """In the forked child: become the requested child process; never returns."""
    code = 1
    try:
        for fd in mine:  # the server's socket, the answer sockets and the other children's pidfds
            os.close(fd)
        stdin, stdout, stderr, *files = fds
        for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(fd, target)
            os.close(fd)
        env = request["env"]
        os.environ.clear()
        os.environ.update(env)
        threadpools.limit(limits={"blas": _threads(env, _BLAS_VARS),
                                  "openmp": _threads(env, _OPENMP_VARS)})
        import numpy as np

        np.random.seed()  # NumPy's global generator, fresh as in a new process (not the parent's)
        header = {**request["header"], "parent": os.getppid()}
        header["files"] = [[fd, size] for fd, (_, size) in zip(files, header["files"])]
        module = request["module"]
        childproc.name(module)
        code = importlib.import_module(module).main([json.dumps(header)])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (exc.code is not None)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    except BaseException:  # as Python's own last words: the traceback on stderr, exit code 1
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(int(code or 0))


def _send(sock: socket.socket, message: dict, fds: tuple[int, ...] = ()) -> None:
    with contextlib.suppress(OSError):  # the server gave up on this child: nobody to tell
        socket.send_fds(sock, [json.dumps(message).encode()], list(fds))


class _Server:
    """The serving loop's state: the server's socket and the children not yet reaped."""

    def __init__(self, control: socket.socket, modules: tuple[str, ...], threadpools):
        self.control, self.modules, self.threadpools = control, modules, threadpools
        self.children: dict[int, tuple[int, socket.socket]] = {}  # pidfd: (pid, answer socket)
        self.selector = selectors.DefaultSelector()
        self.selector.register(control, selectors.EVENT_READ)

    def serve(self, parent: int) -> None:
        try:
            while True:
                events = self.selector.select(CHECK_S)
                if os.getppid() != parent:
                    return
                for key, _ in events:
                    if key.fileobj is self.control:
                        if not self.request():
                            return
                    else:
                        self.reap(int(key.fd))
        finally:
            for pid, _ in self.children.values():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)

    def request(self) -> bool:
        """Serve one request; False when the server has gone."""
        try:
            message, fds, flags, _ = socket.recv_fds(self.control, MAX_MESSAGE, MAX_FDS)
        except ConnectionError:
            return False
        if not message:
            return False
        if len(fds) < 4:  # not a request of ours
            for fd in fds:
                os.close(fd)
            return True
        answer = socket.socket(fileno=fds[0])
        try:
            try:
                request = json.loads(message)
            except ValueError:
                request = {}
            if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
                _send(answer, {"error": "the request was too large"})
            elif request.get("module") not in self.modules:
                _send(answer, {"error": f"{request.get('module')} is not served here"})
            elif self.fork(request, answer, fds[1:]):
                return True  # the answer socket is kept until the child has ended
            answer.close()
        finally:
            for fd in fds[1:]:  # the child's copies are its own
                os.close(fd)
        return True

    def fork(self, request: dict, answer: socket.socket, fds: list[int]) -> bool:
        mine = [self.control.fileno(), self.selector.fileno(), answer.fileno()] + [
            fd for pidfd, (_, sock) in self.children.items() for fd in (pidfd, sock.fileno())]
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        try:
            pid = os.fork()
        except OSError as exc:
            _send(answer, {"error": f"fork failed: {exc}"})
            return False
        if pid == 0:
            _child(request, fds, mine, self.threadpools)
        pidfd = os.pidfd_open(pid)  # not reaped yet: this is that child, not a reused pid
        _send(answer, {"pid": pid}, (pidfd,))
        self.children[pidfd] = (pid, answer)
        self.selector.register(pidfd, selectors.EVENT_READ)
        return True

    def reap(self, pidfd: int) -> None:
        pid, answer = self.children.pop(pidfd)
        self.selector.unregister(pidfd)
        _, status, usage = os.wait4(pid, 0)
        os.close(pidfd)
        _send(answer, {"returncode": os.waitstatus_to_exitcode(status),
                       "cpu_s": usage.ru_utime + usage.ru_stime})
        answer.close()


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in the server's terminal: end at once
    parent = os.getppid()
    control = socket.socket(fileno=int(argv[0]))
    hello = json.loads(control.recv(MAX_MESSAGE) or b"{}")
    modules = tuple(hello.get("modules", ()))
    try:
        from threadpoolctl import ThreadpoolController

        sys.meta_path.insert(0, childproc._Unneeded)
        for module in modules:
            importlib.import_module(module)
        threadpools = ThreadpoolController()  # found once, here: the children inherit it
    except Exception as exc:  # a sentence for the server's log, not a traceback
        _send(control, {"error": f"{type(exc).__name__}: {exc}"})
        return 1
    gc.collect()
    gc.freeze()  # what is imported stays put: the children's collections do not copy it
    _send(control, {"ready": os.getpid()})
    _Server(control, modules, threadpools).serve(parent)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
