"""Property tests (Hypothesis) of everything a user or a file can hand DigitLab: arrays of any
shape, dtype, channel count and values; bytes that claim to be images; every setting with any
value; import files, damaged or made up. Each gives a result or a sentence (the module's own
error, with a message), never anything else. Example counts are bounded and the seed fixed
(tests/conftest.py), so the time and the outcome are the same on every run."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
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

ANY = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                     st.integers(), max_size=2),
                st.sampled_from(["inf", "nan", "1e-3", "sag", "digitlab-fast", "rbf", "unit"]),
                st.builds(np.float32, st.floats(width=32)), st.builds(np.int64,
                                                                      st.integers(-9, 10**6)))
FIELDS = [f.name for f in dataclasses.fields(TrainConfig)]


@settings(max_examples=600)
@given(st.dictionaries(st.sampled_from(FIELDS), ANY, min_size=1, max_size=4))
def test_any_setting_with_any_value_is_a_config_or_a_sentence(ledger, changes):
    config, said = ledger.result_or_sentence(TrainConfig, **changes, sentence=ConfigError)
    if config is not None:  # accepted: then it is a config every part of DigitLab can use
        assert config.C > 0 and 0 <= config.l1_ratio <= 1 and config.max_iter >= 1
        assert TrainConfig.from_dict(config.to_dict()) == config
        hash(config)  # it keys the fit store


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from([*FIELDS, "bogus", "multi_class"]), ANY, max_size=5))
def test_settings_read_from_a_file_are_a_config_or_a_sentence(ledger, d):
    ledger.result_or_sentence(TrainConfig.from_dict, d, sentence=ConfigError)


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
