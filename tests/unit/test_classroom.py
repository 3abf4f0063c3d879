"""A class on one server: the password, the published model, and `run.py app --class` (the
address it serves on and the command it runs; nothing is served here)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

import run
from digitlab.classroom import publish as classroom
from digitlab.classroom.publish import ClassModel, Published
from digitlab.training.session import presets


def test_nobody_can_publish_without_a_password_set(monkeypatch):
    monkeypatch.delenv(classroom.PASSWORD_ENV, raising=False)
    assert not classroom.publishing_enabled()
    assert not classroom.password_ok("")
    assert not classroom.password_ok("anything")


def test_only_the_class_password_unlocks(monkeypatch):
    monkeypatch.setenv(classroom.PASSWORD_ENV, "maple-42")
    assert classroom.publishing_enabled()
    assert classroom.password_ok("maple-42")
    for wrong in ("", "maple-4", "maple-42 ", "MAPLE-42", "maple-42\x00"):
        assert not classroom.password_ok(wrong)


def test_publish_and_withdraw_swap_the_class_model():
    board = ClassModel()
    assert board.current() is None
    first, second = object(), object()
    assert board.publish(first).model is first and board.current().model is first
    board.publish(second)
    assert board.current().model is second and len(board.current().when) == 5  # "HH:MM"
    board.withdraw()
    assert board.current() is None


def _never_fitted():
    raise AssertionError("the default model was fitted although another answers")


def test_a_session_without_a_model_gets_the_published_model_of_its_data():
    mine = SimpleNamespace(data_key="MNIST:70000")
    model, which = classroom.fallback_model(Published(mine, 0.0), "MNIST:70000", _never_fitted)
    assert model is mine and which.startswith("the class model (published at ")


def test_without_a_published_model_of_its_data_a_session_gets_the_default():
    default = SimpleNamespace(data_key="MNIST:70000")
    other_data = Published(SimpleNamespace(data_key="digits (8x8):1797"), 0.0)
    for published in (None, other_data):
        model, which = classroom.fallback_model(published, "MNIST:70000", lambda: default)
        assert model is default
        assert which == f"the default model (the {classroom.DEFAULT_PRESET} preset)"
    assert classroom.DEFAULT_PRESET in presets()  # what the app fits as the default


def test_readers_see_a_whole_model_while_it_is_republished():
    board, models, seen = ClassModel(), [object() for _ in range(50)], []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            p = board.current()
            seen.append(p is None or p.model in models)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for r in readers:
        r.start()
    for m in models * 20:
        board.publish(m)
    stop.set()
    for r in readers:
        r.join()
    assert seen and all(seen)


def test_the_class_address_comes_from_the_environment_and_is_never_loopback(monkeypatch):
    monkeypatch.setenv("DIGITLAB_CLASS_HOST", "192.168.7.20")
    assert run.lan_address() == "192.168.7.20"
    monkeypatch.delenv("DIGITLAB_CLASS_HOST")
    address = run.lan_address()
    assert address is None or not address.startswith(("127.", "0."))


@pytest.mark.parametrize("host", ["127.0.0.1", "192.168.7.20"])
def test_the_server_keeps_xsrf_on_and_caps_uploads(host):
    cmd = run.streamlit_command(["--server.port", "8600"], host)
    options = cmd[cmd.index("app.py") + 1:]  # `python app.py --flag value ...`
    flags = dict(zip(options[::2], options[1::2]))
    assert flags["--server.address"] == host
    assert flags["--server.enableXsrfProtection"] == "true"
    assert flags["--server.enableCORS"] == "true"  # Streamlit's CORS protection: on
    assert 0 < int(flags["--server.maxUploadSize"]) <= 25
    assert cmd[-2:] == ["--server.port", "8600"]  # the user's words come last and win


def test_plain_app_serves_on_loopback_only(monkeypatch):
    """`python3 run.py app` without --class: the command it runs binds 127.0.0.1."""
    ran = {}
    monkeypatch.setattr(run, "ensure_venv", lambda req: None)
    monkeypatch.setattr(run.subprocess, "run", lambda cmd, **kw: ran.setdefault(
        "cmds", []).append((cmd, kw)) or type("R", (), {"returncode": 0})())
    assert run.app([]) == 0
    cmd, kw = ran["cmds"][-1]
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert "DIGITLAB_CLASS_URL" not in kw["env"]
    monkeypatch.setenv("DIGITLAB_CLASS_HOST", "192.168.7.20")
    assert run.app(["--class"]) == 2  # no teacher's password: no class server
    assert cmd == ran["cmds"][-1][0]  # nothing was started
    monkeypatch.setenv("DIGITLAB_CLASS_PASSWORD", "maple-42")
    assert run.app(["--class"]) == 0
    cmd, kw = ran["cmds"][-1]
    assert cmd[cmd.index("--server.address") + 1] == "192.168.7.20" and "--class" not in cmd
    assert kw["env"]["DIGITLAB_CLASS_URL"] == "http://192.168.7.20:8501"


def test_students_land_on_the_draw_page(monkeypatch):
    monkeypatch.delenv("DIGITLAB_CLASS_URL", raising=False)
    assert classroom.students_url() is None  # no class: no address to show
    monkeypatch.setenv("DIGITLAB_CLASS_URL", "http://192.168.7.20:8501")
    assert classroom.students_url() == "http://192.168.7.20:8501/draw"
