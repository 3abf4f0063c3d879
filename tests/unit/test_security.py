"""What a class's LAN can reach, checked in the code itself: XSRF and CORS protection on and
uploads capped (config.toml and run.py agree), no pickle of anything a user or the network
supplies (the hash-checked MNIST wheel's allow-list unpickler aside), zip members never
extracted to disk, and no file path from a page's user reaching the filesystem.
(The running server's answers to a foreign site: tests/e2e/test_security_server.py.)"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

import run

ROOT = Path(__file__).resolve().parents[2]
CODE = sorted([*(ROOT / "digitlab").rglob("*.py"), *(ROOT / "pages").rglob("*.py"),
               ROOT / "app.py"])


def test_the_checks_read_every_module_of_digitlab_subpackages_included():
    """CODE is what every check below reads: it must hold each module Python would import
    from digitlab, however deep, so that a check cannot pass by reading nothing."""
    import importlib.util
    import pkgutil

    import digitlab

    modules = set()
    for info in pkgutil.walk_packages(digitlab.__path__, "digitlab."):
        spec = importlib.util.find_spec(info.name)
        assert spec is not None and spec.origin is not None, info.name
        modules.add(Path(spec.origin).resolve())
    checked = {p.resolve() for p in CODE}
    assert modules and modules <= checked, sorted(map(str, modules - checked))
    depth = {len(p.relative_to(ROOT / "digitlab").parts) for p in CODE
             if (ROOT / "digitlab") in p.parents}
    assert {2, 3} <= depth  # files in subpackages (digitlab/model/) and theirs (solvers/)
    assert ROOT / "digitlab" / "model" / "solvers" / "child.py" in CODE


def calls(path: Path) -> list[tuple[str, ast.Call]]:
    """(dotted name of the called function, the call) for every call in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            found.append((ast.unparse(node.func), node))
    return found


def test_config_and_run_py_keep_xsrf_and_cors_on_and_cap_uploads():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert server["maxUploadSize"] == run.MAX_UPLOAD_MB <= 25
    client = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["client"]
    assert client["showErrorDetails"] == "none"  # the safety net under frame.guard
    cmd = run.streamlit_command([], "192.168.7.20")
    flags = dict(zip(cmd[2::2], cmd[3::2]))
    assert flags["--server.enableXsrfProtection"] == flags["--server.enableCORS"] == "true"


def test_nothing_is_unpickled_but_the_hash_checked_wheel():
    for path in CODE:
        for name, call in calls(path):
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if name.endswith(("pickle.load", "pickle.loads", "joblib.load", "torch.load",
                              "Unpickler")):
                assert path == ROOT / "digitlab" / "data" / "sources.py", f"{where} unpickles"
            if name in ("np.load", "numpy.load"):
                kw = {k.arg: ast.unparse(k.value) for k in call.keywords}
                assert kw.get("allow_pickle") == "False", f"{where}: np.load without " \
                                                          "allow_pickle=False"
            if name.endswith("sio.load"):
                kw = {k.arg for k in call.keywords}
                assert "trusted" in kw, f"{where}: skops load without a trusted list"
    unpickler = (ROOT / "digitlab" / "data" / "sources.py").read_text()
    assert "class NumpyOnlyUnpickler(pickle.Unpickler)" in unpickler
    assert "PYPI_MEMBER_SHA256" in unpickler


def test_no_zip_member_is_extracted_to_disk():
    for path in CODE:
        for name, call in calls(path):
            assert not name.endswith(("extractall", ".extract")), \
                f"{path.relative_to(ROOT)}:{call.lineno} extracts a zip member to disk"


@pytest.mark.parametrize("path", [p for p in CODE if "pages" in p.parts or p.name == "app.py"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_never_open_a_path(path):
    # A page gets bytes (uploads) and text (names, passwords), and hands them to digitlab as
    # such; every file the server opens comes from its own environment (the cache, the class
    # set, the model store), never from what a visitor typed, uploaded or put in a URL.
    opening = ("open", "Path", "os.open", "os.remove", "os.unlink", "shutil.copy",
               "shutil.move", "Path.open", "np.save", "np.savez")
    for name, call in calls(path):
        assert name not in opening and not name.endswith((".write_bytes", ".write_text",
                                                          ".read_bytes", ".read_text",
                                                          ".unlink")), \
            f"{path.relative_to(ROOT)}:{call.lineno} calls {name}"
    # URL parameters are read in one place, the Train page's link, and every value goes
    # through digitlab.lab.links' validation (its property tests are in test_props_hostile.py).
    # The language (?lang=) is the other: pages/shared/i18n.py keeps it only when it is one of
    # the app's own language codes (_known), and uses it as a catalogue name, never a path.
    # Projector mode (?projector=1) is the third: pages/shared/projector.py turns the value
    # into True, False or None (_flag) and keeps nothing else of it.
    if path.name == "i18n.py":
        assert "_known(st.query_params.get(KEY))" in path.read_text()
    elif path.name == "projector.py":
        read = [line.strip() for line in path.read_text().splitlines()
                if "st.query_params.get(" in line]
        assert read == ['asked = _flag(st.query_params.get(KEY, ""))'], read
    elif path.name == "class_signal.py":
        # The class address (?s=, a student's id) is the fourth: cut to MAX_SID characters and
        # used only as a bound SQL parameter and a dict key (class_push.signal; its hostile ids
        # are in tests/app/test_class_signal.py).
        read = [line.strip() for line in path.read_text().splitlines()
                if "query_params" in line]
        assert read == ['sid = str(request.query_params.get("s", ""))[:MAX_SID]'], read
    elif path.name != "links_panel.py":
        assert "query_params" not in path.read_text(), f"{path.name} reads URL parameters"
    else:
        assert "links.read(params)" in path.read_text()
