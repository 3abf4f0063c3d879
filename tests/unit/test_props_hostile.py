"""Property tests (Hypothesis) of everything a user or a file can hand DigitLab: arrays of any
shape, dtype, channel count and values; bytes that claim to be images; every setting with any
value of any type (the command line's options: test_props_cli.py); import files, damaged or
made up. Each gives a result or a sentence (the module's own error, with a message), never
anything else. Example counts are bounded and the seed fixed
(tests/conftest.py), so the time and the outcome are the same on every run."""

from __future__ import annotations

import dataclasses
import io
import math
import zipfile

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from digitlab.classroom import classfiles
from digitlab.data import preprocess as pp
from digitlab.model.config import ConfigError, TrainConfig

pytestmark = pytest.mark.property

# --- arrays and bytes as images ---------------------------------------------------------------

DTYPES = st.sampled_from([np.uint8, np.uint16, np.int8, np.int32, np.int64, np.float16,
                          np.float32, np.float64, np.bool_, np.complex64, np.uint32])
SHAPES = st.one_of(
    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=40),
    st.tuples(st.integers(1, 300), st.integers(1, 300), st.sampled_from([1, 2, 3, 4, 5])),
    st.tuples(st.integers(1, 2000), st.integers(1, 3)))


@settings(max_examples=200)
@given(hnp.arrays(DTYPES, SHAPES))
def test_any_array_is_a_digit_no_ink_or_a_sentence(ledger, image):
    prepared, _ = ledger.result_or_sentence(pp.to_mnist, image, sentence=pp.PreprocessError)
    if prepared is not None and not prepared.empty:
        assert prepared.image28.shape == (28, 28) and prepared.image28.dtype == np.uint8
    elif prepared is not None:
        assert prepared.message  # "no ink" says so


@settings(max_examples=150)
@given(hnp.arrays(st.sampled_from([np.float32, np.float64]),
                  st.tuples(st.integers(1, 60), st.integers(1, 60)),
                  elements=st.floats(allow_nan=True, allow_infinity=True, width=32)))
def test_floats_with_nan_and_infinity_are_a_sentence_or_a_digit(ledger, image):
    ledger.result_or_sentence(pp.to_mnist, image, sentence=pp.PreprocessError)


def png_of(a: np.ndarray, ext: str) -> bytes:
    import cv2

    ok, buf = cv2.imencode(ext, a)
    assert ok
    return buf.tobytes()


@st.composite
def image_bytes(draw) -> bytes:
    """Bytes that claim to be an image: a real encoding, cut short, bit-flipped, or a real
    header in front of junk."""
    side = draw(st.integers(1, 64))
    a = draw(hnp.arrays(np.uint8, (side, side, draw(st.sampled_from([1, 3, 4])))))
    data = png_of(a, draw(st.sampled_from([".png", ".jpg", ".bmp", ".webp"])))
    how = draw(st.sampled_from(["whole", "cut", "flipped", "header + junk", "junk"]))
    if how == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "flipped":
        raw = bytearray(data)
        for i in draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=20)):
            raw[i] ^= draw(st.integers(1, 255))
        data = bytes(raw)
    elif how == "header + junk":
        data = data[:16] + draw(st.binary(max_size=2000))
    elif how == "junk":
        data = draw(st.binary(max_size=2000))
    return data


@settings(max_examples=300)
@given(image_bytes())
def test_any_bytes_are_a_picture_or_a_sentence(ledger, data):
    image, _ = ledger.result_or_sentence(pp.read_image, data, sentence=pp.PreprocessError)
    if image is not None:
        ledger.result_or_sentence(pp.to_mnist, image, sentence=pp.PreprocessError)


# --- settings -----------------------------------------------------------------------------------

# Every value a setting could be handed, from the whole of each type: huge and negative integers
# (past float's range, past C's int and long, past a seed's 32 bits), inf and nan of every
# float type, numpy's scalars at their limits, and wrong types.
HUGE_INTS = [99999999999999999999, -99999999999999999999, 2**63, 2**63 - 1, -2**63, 2**64,
             2**32, 2**32 - 1, 2**31, 2**31 - 1, 10**400, -10**400, -1, 0, 1, 9]
NUMPY_SCALARS = [np.int64(2**63 - 1), np.int64(-2**63), np.uint64(2**64 - 1), np.int8(-1),
                 np.uint32(2**32 - 1), np.int32(-2**31), np.float64("nan"), np.float32("inf"),
                 np.float32("-inf"), np.float16(65504), np.float64(1e-300), np.bool_(True),
                 np.float64(0.5), np.int64(10)]
HOSTILE = st.one_of(
    st.sampled_from(HUGE_INTS), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.inf, -math.inf, math.nan, -0.0, 5e-324, 1.7976931348623157e308]),
    st.sampled_from(NUMPY_SCALARS), st.builds(np.float32, st.floats(width=32)),
    st.builds(np.int64, st.integers(-2**63, 2**63 - 1)),
    st.none(), st.booleans(), st.text(max_size=12), st.binary(max_size=4),
    st.sampled_from(["99999999999999999999", "-1", "inf", "nan", "1e-3", "", " ", "None",
                     "sag", "lbfgs", "digitlab-fast", "rbf", "pixels", "unit"]),
    st.complex_numbers(max_magnitude=10), st.fractions(), st.decimals(allow_nan=True),
    st.lists(st.integers(), max_size=3), st.tuples(st.integers()),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
FIELDS = [f.name for f in dataclasses.fields(TrainConfig)]


def usable(config: TrainConfig) -> None:
    """An accepted config is one every part of DigitLab can use: its numbers are floats and
    ints that NumPy, scikit-learn and the solvers' C code take, it goes through a file and back,
    it keys the fit store, and its solver's estimator is built from it."""
    from sklearn.utils import check_random_state

    from digitlab.model import solvers

    assert float(config.C) > 0 and not math.isnan(float(config.C))
    assert 0 <= float(config.l1_ratio) <= 1
    assert 0 < float(config.tol) < math.inf and 0 < float(config.test_size) < 1
    # sag and saga hand max_iter to C as an int: a larger one raised OverflowError mid-fit
    assert 1 <= config.max_iter <= 2**31 - 1
    check_random_state(config.seed)  # the split's and the solvers' random_state: 32 bits
    assert config.train_size is None or config.train_size >= 10
    assert TrainConfig.from_dict(config.to_dict()) == config
    hash(config)  # it keys the fit store
    solvers.get(config.solver).build(config)


@settings(max_examples=600)
@given(st.sampled_from(FIELDS), HOSTILE)
# found by this test: OverflowError (C, tol past float's range; max_iter past C's int in a sag
# fit); InvalidParameterError from the split (a seed past 32 bits)
@example(field="C", value=10**400)
@example(field="tol", value=10**400)
@example(field="C", value=99999999999999999999)  # an int C comes back from a file the same
@example(field="max_iter", value=2**31)
@example(field="seed", value=99999999999999999999)
@example(field="seed", value=2**32)
def test_each_setting_with_any_value_of_any_type_is_a_config_or_a_sentence(ledger, field,
                                                                          value):
    config, _ = ledger.result_or_sentence(TrainConfig, **{field: value}, sentence=ConfigError)
    if config is not None:
        usable(config)


@settings(max_examples=600)
@given(st.dictionaries(st.sampled_from(FIELDS), HOSTILE, min_size=1, max_size=4))
@example(changes={"seed": 2**32, "C": 10**20})
def test_any_settings_with_any_values_are_a_config_or_a_sentence(ledger, changes):
    config, _ = ledger.result_or_sentence(TrainConfig, **changes, sentence=ConfigError)
    if config is not None:
        usable(config)


@settings(max_examples=300)
@given(st.dictionaries(st.one_of(st.sampled_from([*FIELDS, "bogus", "multi_class"]),
                                 st.integers(), st.none()), HOSTILE, max_size=5))
@example(d={"seed": 99999999999999999999, "C": "inf"})
def test_settings_read_from_a_file_are_a_config_or_a_sentence(ledger, d):
    config, _ = ledger.result_or_sentence(TrainConfig.from_dict, d, sentence=ConfigError)
    if config is not None:
        usable(config)


@settings(max_examples=300)
@given(st.sampled_from(["C", "train_size"]),
       st.one_of(st.lists(HOSTILE, max_size=4), st.text(max_size=12)))  # typed, or parsed
@example(x="train_size", values=[math.inf])  # OverflowError in the whole-number check
@example(x="C", values=[10**400])  # OverflowError in the nan check
def test_a_sweep_grid_of_any_values_is_a_spec_or_a_sentence(ledger, x, values):
    from digitlab.sweeps.spec import SweepSpec

    spec, _ = ledger.result_or_sentence(SweepSpec, x=x, values=values, sentence=ConfigError)
    if spec is not None:
        assert spec.values and all(math.isfinite(v) and v > 0 for v in spec.values)
        for *_, config in spec.configs():
            usable(config)


# --- import files -------------------------------------------------------------------------------


@st.composite
def class_files(draw) -> bytes:
    """What someone might import: made-up .npz files of any arrays, zips of any members,
    real exports cut short or bit-flipped."""
    kind = draw(st.sampled_from(["npz", "zip", "export damaged", "junk"]))
    if kind == "npz":
        out = io.BytesIO()
        names = draw(st.lists(st.sampled_from(["X", "y", "names", "groups", "other"]),
                              min_size=1, max_size=4, unique=True))
        arrays = {n: draw(hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=3,
                                                              max_side=30)))
                  for n in names}
        np.savez(out, **arrays)
        return out.getvalue()
    if kind == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            names = st.text("abcXY0189-_.", min_size=1, max_size=20)
            for name in draw(st.lists(names, max_size=3, unique=True)):
                head = draw(st.sampled_from([b"\x00\x00\x08\x03", b"\x00\x00\x08\x01", b""]))
                z.writestr(name, head + draw(st.binary(max_size=400)))
        return out.getvalue()
    if kind == "export damaged":
        n = draw(st.integers(1, 20))
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        digits = classfiles.ClassDigits.of(rng.integers(0, 256, (n, 784)), rng.integers(0, 10, n))
        data = bytearray(draw(st.sampled_from([classfiles.to_npz, classfiles.to_idx_zip]))(
            digits))
        cut = draw(st.integers(0, len(data)))
        for i in draw(st.lists(st.integers(0, len(data) - 1), max_size=8)):
            data[i] ^= 0x5A
        return bytes(data[:cut] if draw(st.booleans()) else data)
    return b"PK" + draw(st.binary(max_size=3000))


@settings(max_examples=400)
@given(class_files())
def test_any_import_file_is_a_class_set_or_a_sentence(ledger, data):
    digits, said = ledger.result_or_sentence(classfiles.read_set, data,
                                             sentence=classfiles.ClassFileError)
    if digits is not None:
        assert digits.X.dtype == np.uint8 and digits.X.shape == (len(digits), 784)
        assert digits.y.max(initial=0) <= 9
    assert (digits is None) != (said is None)


# --- a link's query parameters (the Train page's settings in its URL) ---------------------------

def _link_values() -> st.SearchStrategy[str]:
    from digitlab.lab import links

    known = [links.write(f, getattr(links.DEFAULTS, f)) for f in links.FIELDS]
    return st.one_of(st.text(max_size=30), st.sampled_from(
        known + ["nan", "inf", "-inf", "1e999", "-0", "0x10", "", " ", "1,2", "None",
                 "true", "False", "solver,tol", "lock", "🙂"]))


@settings(max_examples=300)
@given(st.dictionaries(
    st.one_of(st.sampled_from(["C", "l1_ratio", "solver", "max_iter", "tol", "test_size",
                               "seed", "scaling", "train_size", "deskew", "augment",
                               "features", "lock", "hide"]), st.text(max_size=12)),
    st.one_of(_link_values(), st.lists(_link_values(), max_size=3)), max_size=8))
def test_any_link_gives_valid_settings_and_a_sentence_per_refusal(ledger, params):
    """`links.read` never raises: whatever a URL holds, the settings it applies make a valid
    TrainConfig, and each value it refuses is a sentence naming that value's key."""
    from digitlab.lab import links
    from digitlab.model.config import validate

    link, _ = ledger.result_or_sentence(links.read, params, sentence=())
    validate(link.config())  # what the page applies is a setting the model accepts
    for said in link.problems:
        assert said.strip() and said.endswith((".", ")")), said
    for said in link.problems:  # each names the key it refused (or the lock/hide it read)
        assert any(said.startswith(f"{key}=") for key in [*params, "lock", "hide"]), said
