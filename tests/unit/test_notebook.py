"""The notebook of a run (digitlab.lab.notebook, `python -m digitlab notebook`): a valid
nbformat 4 file with the tutorial's steps, pure scikit-learn unless the settings need DigitLab,
and the command's bad inputs refused with one sentence (running it: tests/model)."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from digitlab import cli
from digitlab.lab import notebook
from digitlab.model.config import TrainConfig


def source(nb: dict, kind: str) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == kind)


@pytest.mark.parametrize("config", [
    TrainConfig(solver="lbfgs", C=0.05, train_size=1500),
    TrainConfig(deskew=True, features="rbf", augment=True, scaling="standard"),
    TrainConfig(solver="saga", C=float("inf"), l1_ratio=0.5, test_size=0.2, seed=7),
], ids=["lbfgs", "fast-deskew-rbf-augment", "saga-no-penalty"])
def test_the_notebook_is_valid_nbformat_4(config):
    nb = nbformat.reads(notebook.notebook_json(config), as_version=4)
    nbformat.validate(nb)  # raises on anything nbformat 4 does not allow
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown" and kinds.count("code") == 8
    for before, cell in zip(kinds, kinds[1:]):  # a short markdown cell before each step
        assert before == "markdown" or cell == "markdown"
    code = source(notebook.notebook(config), "code")
    # every code cell is Python, but for one IPython line: %matplotlib inline
    assert [line for line in code.splitlines() if line.startswith("%")] == ["%matplotlib inline"]
    compile(code.replace("%matplotlib inline", ""), "notebook", "exec")
    assert f"test_size={config.test_size!r}, random_state={config.seed}" in code
    assert "mnist-70k.npz" in code and "fetch_openml" not in code  # offline, from the cache


def test_a_scikit_learn_solver_gives_a_pure_scikit_learn_notebook():
    nb = notebook.notebook(TrainConfig(solver="lbfgs", C=0.05))
    code = source(nb, "code")
    assert "import digitlab" not in code and "from digitlab" not in code
    assert "nothing here needs DigitLab" in source(nb, "markdown")


def test_digitlabs_own_solver_and_deskew_are_imported_and_said():
    nb = notebook.notebook(TrainConfig(deskew=True))
    code, text = source(nb, "code"), source(nb, "markdown")
    assert "from digitlab.model.solvers.fast import FastLogisticRegression" in code
    assert "from digitlab.data.deskew import deskew_rows" in code
    assert "DigitLab's own" in text and "`digitlab`" in text


def test_the_same_settings_give_the_same_file():
    config = TrainConfig(solver="lbfgs", train_size=500)
    assert notebook.notebook_json(config) == notebook.notebook_json(config)


def run(capsys, *argv: str) -> tuple[int, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:  # argparse's refusals (a wrong type)
        code = int(exit_.code or 0)
    return code, capsys.readouterr().err


def test_the_command_writes_the_notebook_of_its_options(capsys, tmp_path):
    out = tmp_path / "run.ipynb"
    code, err = run(capsys, "notebook", "--out", str(out), "--solver", "lbfgs", "--C", "0.5",
                    "--train-size", "1000", "--seed", "3")
    assert code == 0 and "wrote" in err
    nb = json.loads(out.read_text())
    nbformat.validate(nbformat.from_dict(nb))
    assert nb == notebook.notebook(TrainConfig(solver="lbfgs", C=0.5, train_size=1000, seed=3))


@pytest.mark.parametrize("argv, says", [
    (["--train-size", "-5"], "train_size"),
    (["--seed", "99999999999999999999"], "seed must be a whole number from 0 to"),
    (["--C", "1e-300"], "C must be at least"),
    (["--C", "nan"], "must be a number, not nan"),
    (["--tol", "nan"], "tol"),
    (["--test-size", "1.5"], "test_size"),
    (["--max-iter", "ten"], "invalid int value: 'ten'"),
    (["--solver", "magic"], "magic"),
    (["--augment", "--solver", "lbfgs"], "choose solver 'digitlab-fast'"),
])
def test_a_bad_option_is_a_sentence_and_exit_code_2(capsys, tmp_path, argv, says):
    out = tmp_path / "run.ipynb"
    code, err = run(capsys, "notebook", "--out", str(out), *argv)
    assert code == 2 and says in err and "Traceback" not in err
    assert not out.exists()


def test_an_unwritable_out_path_is_a_sentence(capsys, tmp_path):
    missing = tmp_path / "no such folder" / "run.ipynb"
    code, err = run(capsys, "notebook", "--out", str(missing))
    assert code == 2 and f"could not write {missing}" in err and "Traceback" not in err
    (tmp_path / "taken").mkdir()
    code, err = run(capsys, "notebook", "--out", str(tmp_path / "taken"))
    assert code == 2 and "could not write" in err and "Traceback" not in err


def test_out_is_required(capsys):
    code, err = run(capsys, "notebook", "--solver", "lbfgs")
    assert code == 2 and "--out" in err


def test_the_markdown_speaks_the_readers_language_and_the_code_does_not_change():
    import gettext
    from pathlib import Path

    from digitlab.text import LocalFormatter

    locales = Path(__file__).resolve().parents[2] / "locales"
    french = gettext.translation("digitlab", locales, languages=["fr"])
    config = TrainConfig(solver="lbfgs", train_size=1500, test_size=0.2)
    nb = notebook.notebook(config, say=lambda m: m.translate(french.gettext,
                                                             LocalFormatter("fr")))
    english = notebook.notebook(config)
    assert source(nb, "code") == source(english, "code")
    text = source(nb, "markdown")
    assert "Régression logistique multinomiale" in text
    assert re.search(r"20\s%", text) and re.search(r"1\s500", text)  # French numbers
    assert "The tools" not in text
    nbformat.validate(nbformat.from_dict(nb))
