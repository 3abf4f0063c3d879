"""Property tests (Hypothesis) of the command line's options: `python -m digitlab train` and
`sweep`, run in-process through cli.main as in test_cli.py, with values drawn from each option's
whole domain that the option must refuse (huge and negative integers, inf, nan, numbers where
names go, text where numbers go). Each ends with exit code 2, one sentence on stderr and no
traceback, before any data is loaded: an option passes through the same validation as
TrainConfig (or argparse's own type check) or it is a bug."""

from __future__ import annotations

import io
import string
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from digitlab import cli, data
from digitlab.model import config as config_module
from digitlab.model import features, solvers

pytestmark = pytest.mark.property


def not_a(kind: type):
    """Text that `kind` (int or float) does not read."""
    def reads(text: str) -> bool:
        try:
            kind(text)
        except (ValueError, OverflowError):
            return False
        return True

    junk = st.one_of(st.text(max_size=10), st.text(string.ascii_letters + ",;.-_ ", max_size=8),
                     st.sampled_from(["", " ", "None", "[1]", "1,2", "0x10", "1e", "--", "🙂",
                                      "1_000x", "one", "2**63"]))
    return junk.filter(lambda t: not reads(t))


def text_of(numbers) -> st.SearchStrategy[str]:
    return numbers.map(lambda v: f"{v}" if not isinstance(v, float) else repr(v))


BIG = [99999999999999999999, 2**63, 2**64, 2**32, 2**31, 10**400]
NEGATIVE = st.one_of(st.integers(max_value=-1), st.sampled_from([-1, -2**63, -10**400]))
NOT_A_NUMBER = ["nan", "NaN", "-nan"]
INFINITE = ["inf", "-inf", "Infinity", "1e999", "-1e999"]

# For each option of `train`, values it must refuse.
TRAIN = {
    "--C": st.one_of(text_of(NEGATIVE), text_of(st.floats(max_value=0)),
                     st.sampled_from(["0", "-0", "0.0", "-inf", "-1e999", *NOT_A_NUMBER]),
                     not_a(float)),
    "--l1-ratio": st.one_of(text_of(NEGATIVE), text_of(st.sampled_from(BIG)),
                            text_of(st.floats(min_value=1, exclude_min=True)),
                            text_of(st.floats(max_value=0, exclude_max=True)),
                            st.sampled_from([*INFINITE, *NOT_A_NUMBER]), not_a(float)),
    "--solver": st.text(max_size=14).filter(lambda t: t not in solvers.SOLVERS),
    "--max-iter": st.one_of(text_of(NEGATIVE), st.just("0"),
                            text_of(st.integers(min_value=config_module.MAX_ITER + 1)),
                            text_of(st.sampled_from(BIG)),
                            st.sampled_from(["1.5", "1e3", *INFINITE, *NOT_A_NUMBER]),
                            not_a(int)),
    "--tol": st.one_of(text_of(NEGATIVE), st.sampled_from(["0", "-0", *INFINITE, *NOT_A_NUMBER]),
                       text_of(st.floats(max_value=0)), not_a(float)),
    "--test-size": st.one_of(text_of(NEGATIVE), text_of(st.sampled_from(BIG)),
                             st.sampled_from(["0", "1", "1.0", *INFINITE, *NOT_A_NUMBER]),
                             text_of(st.floats(min_value=1)), text_of(st.floats(max_value=0)),
                             not_a(float)),
    "--seed": st.one_of(text_of(NEGATIVE), text_of(st.integers(min_value=2**32)),
                        text_of(st.sampled_from([b for b in BIG if b >= 2**32])),
                        st.sampled_from(["1.5", "1e3", *INFINITE, *NOT_A_NUMBER]), not_a(int)),
    "--scaling": st.text(max_size=12).filter(lambda t: t not in config_module.SCALINGS),
    "--train-size": st.one_of(text_of(NEGATIVE), text_of(st.integers(0, 9)),
                              st.sampled_from(["1.5", "1e3", *INFINITE, *NOT_A_NUMBER]),
                              not_a(int)),
    "--features": st.text(max_size=12).filter(lambda t: t not in features.FEATURES),
}

# `sweep` takes lists where `train` takes one value, and the rest as `train` does.
LIST_JUNK = st.sampled_from(["", ",", " , ", "0.1,,abc", "0.1;x", "nan", "0.1,nan"])
SWEEP = {
    "--C": st.one_of(LIST_JUNK, TRAIN["--C"].filter(lambda t: "," not in t and ";" not in t),
                     st.sampled_from(["0.1,-1", "0,1", "1,-inf", "1;0"])),
    "--train-sizes": st.one_of(LIST_JUNK, text_of(st.integers(max_value=9)),
                               st.sampled_from(["5", "100.5", "100,-1", "inf", "1e999"])),
    "--l1-ratio": st.one_of(LIST_JUNK, TRAIN["--l1-ratio"].filter(lambda t: "," not in t
                                                                  and ";" not in t)),
    "--solver": st.sampled_from(["bogus", "lbfgs,bogus", "digitlab-fast", "LBFGS", ","]),
    **{k: TRAIN[k] for k in ("--max-iter", "--test-size", "--seed", "--scaling",
                             "--train-size")},
    "--tol": TRAIN["--tol"],
}


def refused(argv: list[str]) -> str:
    """Run the command line on argv, which it must refuse: exit code 2 and one sentence on
    stderr, without loading any data. Returns what it said."""
    def no_data(*args, **kwargs):
        raise AssertionError(f"{argv} was accepted: the command went on to load the data")

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        patch.setattr(data, "load_mnist", no_data)
        try:
            code = cli.main(argv)
        except SystemExit as exit_:  # argparse's own refusals (a value its type cannot read)
            code = exit_.code
    out, err = out.getvalue(), err.getvalue()
    assert code == 2, (argv, code, err)
    assert "Traceback" not in err and not out, (argv, err)
    said = [line for line in err.splitlines()
            if line.startswith("digitlab: ") or ": error: " in line]
    assert len(said) == 1 and said[0].split(": ", 1)[1].strip(), (argv, err)
    return said[0]


def options(table: dict) -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from(sorted(table)).flatmap(lambda o: st.tuples(st.just(o), table[o]))


def typed(option: str, value: str, glue: bool) -> list[str]:
    """`--seed=-5` or `--seed -5`, both as a user may write them (apart, a value that starts
    with a minus but is not a number is taken for an option: argparse's own refusal)."""
    return [f"{option}={value}"] if glue else [option, value]


@settings(max_examples=300)
@given(options(TRAIN), st.booleans())
@example(("--seed", "99999999999999999999"), False)  # a traceback from the split (issue 19)
@example(("--seed", "4294967296"), True)
@example(("--max-iter", "2147483648"), False)  # past C's int: OverflowError in a sag fit
def test_train_refuses_any_bad_option_value_with_one_sentence(ledger, option, glue):
    name, value = option
    ledger.bad_input()
    refused(["train", *typed(name, value, glue)])


@settings(max_examples=200)
@given(options(SWEEP), st.booleans())
@example(("--seed", "99999999999999999999"), True)  # a traceback from the split (issue 19)
@example(("--train-sizes", "inf"), False)  # OverflowError in SweepSpec's whole-number check
@example(("--solver", ","), False)  # an empty list of solvers was taken as none given
def test_sweep_refuses_any_bad_option_value_with_one_sentence(ledger, option, glue):
    name, value = option
    ledger.bad_input()
    refused(["sweep", *typed(name, value, glue)])


def test_the_checks_refuse_what_they_should_and_take_what_they_should():
    """The harness itself: a refused option passes `refused`; an accepted one does not (it
    goes on to load the data, which `refused` reports)."""
    assert "seed" in refused(["train", "--seed=-1"])
    assert "C must be a positive number" in refused(["train", "--C", "0"])
    with pytest.raises(AssertionError, match="was accepted"):
        refused(["train", "--seed", "7"])
