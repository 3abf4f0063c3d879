"""A server restart does not lose the class model: a teacher publishes in one server process,
the process is killed (SIGKILL, by its PID: no clean shutdown), and a new server process on the
same data folder answers a student's drawing with that model. Each "server" is the app under
AppTest in a child process of its own (no browser needed: what comes back is the server's)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from digitlab.classroom import publish as classroom

ROOT = Path(__file__).resolve().parents[2]

SERVER = """
import os, sys, time
from digitlab.data import mnist as data
from digitlab.training import session as training
from pages.shared import state
from tests.app.page_utils import SMALL, canvas_state, drawn, open_app

step = sys.argv[1]
if step == "publish":
    ds = data.load_mnist(allow_fallback=False)
    job = training.TrainingJob(SMALL, training.split_of(ds, SMALL.test_size, SMALL.seed))
    assert job.start().wait(180) and job.result is not None, job.error
    teacher = open_app("train", {state.TRAINED: job.result})
    teacher.text_input[0].input(os.environ["DIGITLAB_CLASS_PASSWORD"])
    next(b for b in teacher.button if b.label.startswith("Unlock publishing")).click().run()
    next(b for b in teacher.button if b.label.startswith("Publish this model")).click().run()
    print("published", repr(job.result.evaluation.accuracy), flush=True)
    time.sleep(600)  # the server runs on until it is killed
else:
    student = open_app("draw")
    student.session_state["canvas-0"] = canvas_state(drawn(1))
    student.run()
    said = [c.value for c in student.caption if "Answering" in c.value]
    prediction = next(m.value for m in student.metric if m.label == "Prediction")
    model = state.class_model().current().model
    print("answering", repr(said), prediction, repr(model.evaluation.accuracy), flush=True)
"""


def server(step: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SERVER, step], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_published_class_model_is_back_after_the_server_is_killed(tmp_path):
    env = {**os.environ, "DIGITLAB_DB": str(tmp_path / "class.sqlite3"),
           classroom.PASSWORD_ENV: "maple-42", "DIGITLAB_NO_OPENML": "1"}
    first = server("publish", env)
    try:
        line = first.stdout.readline()  # blocks until it published (or died)
        assert line.startswith("published"), first.stderr.read() if first.poll() else line
        accuracy = line.split()[1]
    finally:
        os.kill(first.pid, signal.SIGKILL)  # no clean shutdown: as a power cut or `kill -9`
        first.wait(30)
    assert (tmp_path / classroom.MODEL_FILE).exists()

    second = server("student", env)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err[-3000:]
    words, prediction, back = out.split("answering ", 1)[1].rsplit(" ", 2)
    assert "the class model (published at" in words  # not the default model
    assert back.strip() == accuracy and prediction == "1"
