"""Robustness benchmark: MNIST test digits re-drawn like canvas drawings and photos of paper.

`python -m digitlab bench-canvas` (or `run()` from Python) answers one question: does a drawing
that is placed, sized and inked unlike MNIST still get read? It re-draws the tutorial split's test
digits, sends each through the Draw page's path (`to_mnist` -> `predict_digit`) and prints the
accuracy beside the clean test accuracy of the same digits and beside the plain-resize baseline.

How one drawing is made (`redraw`), seeded so every figure repeats:

1. Pen path: the digit's ink (pixels > 0) is cropped and upscaled with cubic interpolation so its
   longer side is S = U(0.35, 0.85) x 280 px, then thresholded at 50 %. The centre line of that
   shape is the ridge of its distance transform (pixels within 0.5 of their 3x3 maximum and at
   least half the median ridge depth, which trims spurs at corners).
2. Brush: every pixel within r = B / 2 of the centre line becomes ink, with a one-pixel
   anti-aliased edge: a round brush of uniform width B = U(8, 30) px (at most S / 4), what a mouse
   or finger on the canvas gives. MNIST's pen varies and is about S / 8 wide; B / S here spans
   0.03 - 0.25, so strokes are genuinely thinner or fatter than MNIST's.
3. Place: anywhere on the 280 x 280 canvas where the whole drawing fits (uniform).
4. Ink style, both for every digit:
   - "canvas": RGBA like streamlit-drawable-canvas returns with a black background colour:
     white ink, alpha 255 everywhere.
   - "paper": a photo-like RGB picture of dark ink on light paper: paper grey U(185, 245) with a
     slight tint, a lighting gradient of up to +-20 levels across the sheet, blue-black ink at
     opacity U(0.75, 1), Gaussian noise sigma U(2, 6), a 0.6 px camera blur, and a JPEG round trip
     at quality U(60, 90).

The model is fitted here with `digitlab.model.fit` on the tutorial split (default: the default
TrainConfig, i.e. lbfgs, C=1, pixels/255, limited to `--train-size` training images so the command
stays under a minute on 2 cores), once plain and once with deskew=True. Clean accuracy is on the
same n test digits that get re-drawn, so each row is a paired comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from digitlab import preprocess
from digitlab.model import TrainConfig, fit, predict_digit

CANVAS = 280
SIZE_RANGE = (0.35, 0.85)  # the digit's longer side, as a fraction of the canvas
BRUSH_RANGE = (8.0, 30.0)  # brush width in canvas pixels
MAX_BRUSH_FRACTION = 0.25  # ... but at most this fraction of the digit's longer side
STYLES = ("canvas", "paper")
DEFAULT_N = 1000
DEFAULT_TRAIN_SIZE = 20_000
TIMED_DRAWINGS = 200  # drawings timed end to end (preprocess + predict), one at a time


# --- making the drawings -------------------------------------------------------------------


def _pen_path(digit28: np.ndarray, size: float, pad: int) -> np.ndarray:
    """The digit's centre line (bool) at `size` px on its longer side, with `pad` px margin."""
    img = np.asarray(digit28, np.float32).reshape(28, 28)
    x, y, w, h = cv2.boundingRect((img > 0).astype(np.uint8))
    k = size / max(w, h)
    big = cv2.resize(img[y:y + h, x:x + w], (max(1, round(w * k)), max(1, round(h * k))),
                     interpolation=cv2.INTER_CUBIC)
    big = cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    mask = (big > 127.5).astype(np.uint8)
    dt = cv2.distanceTransform(mask, cv2.DIST_L2, 5)
    # Within 0.5 of the local maximum rather than equal to it: along a stroke that slowly gets
    # wider the true centre line is never a strict maximum, and would break into dashes.
    ridge = (mask > 0) & (dt >= cv2.dilate(dt, np.ones((3, 3), np.uint8)) - 0.5)
    if ridge.any():
        ridge &= dt >= 0.5 * float(np.median(dt[ridge]))  # spurs into corners are shallow
    return ridge


def _brush(path: np.ndarray, width: float) -> np.ndarray:
    """Round brush of `width` px along `path`, with a one-pixel anti-aliased edge (float 0..1)."""
    dist = cv2.distanceTransform((~path).astype(np.uint8), cv2.DIST_L2, 5)
    return np.clip(width / 2 + 0.5 - dist, 0.0, 1.0).astype(np.float32)


def _on_canvas(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Place a drawing (trimmed to its ink) at a uniform random spot of the canvas."""
    x, y, w, h = cv2.boundingRect((ink > 0).astype(np.uint8))
    ink = ink[y:y + h, x:x + w][:CANVAS, :CANVAS]
    h, w = ink.shape
    top = int(rng.integers(0, CANVAS - h + 1))
    left = int(rng.integers(0, CANVAS - w + 1))
    out = np.zeros((CANVAS, CANVAS), np.float32)
    out[top:top + h, left:left + w] = ink
    return out


def _canvas_rgba(ink: np.ndarray) -> np.ndarray:
    """White ink on a black background, alpha 255: the canvas's image_data."""
    v = np.clip(np.rint(ink * 255), 0, 255).astype(np.uint8)
    return np.dstack([v, v, v, np.full_like(v, 255)])


def _paper_rgb(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark ink on light paper, photographed: tint, lighting gradient, noise, blur, JPEG."""
    paper = rng.uniform(185, 245) + rng.uniform(-8, 8, size=3)
    yy, xx = np.mgrid[0:CANVAS, 0:CANVAS].astype(np.float32) / CANVAS - 0.5
    gx, gy = rng.uniform(-20, 20, size=2)
    light = (gx * xx + gy * yy)[:, :, None]
    ink_colour = np.array([rng.uniform(10, 50), rng.uniform(10, 50), rng.uniform(40, 110)])
    a = (rng.uniform(0.75, 1.0) * ink)[:, :, None]
    img = (paper + light) * (1 - a) + ink_colour * a
    img += rng.normal(0, rng.uniform(2, 6), size=img.shape)
    img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 0.6)
    rgb = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    _, jpg = cv2.imencode(".jpg", rgb, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 91))])
    return cv2.imdecode(jpg, cv2.IMREAD_UNCHANGED)  # channel order is irrelevant to the noise


def redraw(digit28: np.ndarray, rng: np.random.Generator, style: str) -> np.ndarray:
    """One MNIST digit (784 or 28x28 uint8) -> a 280x280 drawing of it (see the module doc).

    style "canvas" -> (280, 280, 4) RGBA white on black; "paper" -> (280, 280, 3) RGB photo.
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}; got {style!r}.")
    size = rng.uniform(*SIZE_RANGE) * CANVAS
    width = min(rng.uniform(*BRUSH_RANGE), MAX_BRUSH_FRACTION * size)
    pad = int(np.ceil(width / 2)) + 2
    ink = _on_canvas(_brush(_pen_path(digit28, size, pad), width), rng)
    return _canvas_rgba(ink) if style == "canvas" else _paper_rgb(ink, rng)


# --- running it ----------------------------------------------------------------------------


@dataclass
class Row:
    """Accuracies of one model on the same n test digits."""

    model: str
    clean: float
    canvas: float
    canvas_plain: float
    paper: float
    paper_plain: float


@dataclass
class BenchResult:
    n: int
    seed: int
    config: dict
    fit_seconds: dict[str, float]
    rows: list[Row]
    ms_preprocess: float  # median to_mnist time per drawing (canvas and paper)
    ms_plain: float  # median plain_resize time per drawing
    ms_end_to_end: float  # median to_mnist + predict_digit of one canvas drawing
    no_ink: int  # drawings to_mnist called empty (counted as wrong)
    ablation: dict[str, float] = field(default_factory=dict)  # canvas/paper without even strokes

    def to_dict(self) -> dict:
        return asdict(self)


def _tutorial_split():
    from digitlab import data

    ds = data.load_mnist(allow_fallback=False)
    return data.split(ds.X, ds.y, test_size=0.15, seed=0)


def _prepare_all(drawings: list[np.ndarray], deskew: bool, even: bool = True):
    """to_mnist on each drawing -> (n, 784) rows (zeros if empty), times in ms, empty count."""
    rows = np.zeros((len(drawings), 784), np.uint8)
    times = np.empty(len(drawings))
    empty = 0
    for i, img in enumerate(drawings):
        t0 = time.perf_counter()
        p = preprocess.to_mnist(img, deskew=deskew, even_strokes=even)
        times[i] = (time.perf_counter() - t0) * 1e3
        if p.empty:
            empty += 1
        else:
            rows[i] = p.image28.reshape(-1)
    return rows, times, empty


def _accuracy(model, rows: np.ndarray, y: np.ndarray, valid: np.ndarray | None = None) -> float:
    yhat = model.predict(rows)
    ok = yhat == y
    if valid is not None:
        ok &= valid  # an empty result is a wrong answer, never a lucky guess
    return float(ok.mean())


def run(n: int = DEFAULT_N, seed: int = 0, train_size: int | None = DEFAULT_TRAIN_SIZE,
        split=None, models: dict | None = None, ablation: bool = True,
        progress: Callable[[str], None] | None = None) -> BenchResult:
    """Re-draw n test digits in both styles and measure every column of the table.

    Parameters
    ----------
    n : test digits re-drawn (each in both styles); drawn from the test split by `seed`.
    seed : seeds the choice of digits and every random draw; same seed, same figures.
    train_size : training images for the fitted models (None = all 59.5k; slower).
    split : (X_train, X_test, y_train, y_test); default the tutorial split of MNIST.
    models : {"plain": pipeline, "deskew": pipeline} to use instead of fitting.
    ablation : also measure the recipe without stroke evening (plain model).
    progress : called with a short sentence at each stage.
    """
    say = progress or (lambda msg: None)
    X_train, X_test, y_train, y_test = split if split is not None else _tutorial_split()
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(y_test), size=min(n, len(y_test)), replace=False))
    X, y = np.asarray(X_test)[pick], np.asarray(y_test)[pick]

    config = TrainConfig(train_size=train_size)
    fit_seconds: dict[str, float] = {}
    if models is None:
        models = {}
        for name, deskew in (("plain", False), ("deskew", True)):
            say(f"fitting the {name} model ({config.solver}, {train_size or 'all'} images)")
            result = fit(config.replace(deskew=deskew), X_train, y_train)
            models[name], fit_seconds[name] = result.model, result.fit_seconds

    say(f"re-drawing {len(y)} test digits in {len(STYLES)} styles")
    drawings = {s: [redraw(d, rng, s) for d in X] for s in STYLES}

    plain_rows, plain_ms = {}, []
    for s in STYLES:
        out = np.empty((len(y), 784), np.uint8)
        for i, img in enumerate(drawings[s]):
            t0 = time.perf_counter()
            out[i] = preprocess.plain_resize(img).reshape(-1)
            plain_ms.append((time.perf_counter() - t0) * 1e3)
        plain_rows[s] = out

    rows, prep_ms, no_ink = [], [], 0
    for name, model in models.items():
        deskew = name == "deskew"
        acc = {"clean": _accuracy(model, X, y)}
        for s in STYLES:
            say(f"{name} model: preprocessing the {s} drawings")
            prepared, ms, empty = _prepare_all(drawings[s], deskew)
            valid = prepared.any(axis=1)
            acc[s] = _accuracy(model, prepared, y, valid)
            acc[f"{s}_plain"] = _accuracy(model, plain_rows[s], y)
            prep_ms.extend(ms)
            no_ink += empty if name == "plain" else 0
        rows.append(Row(name, **acc))

    abl = {}
    if ablation and "plain" in models:
        say("ablation: the recipe without stroke evening")
        for s in STYLES:
            prepared, _, _ = _prepare_all(drawings[s], False, even=False)
            abl[s] = _accuracy(models["plain"], prepared, y, prepared.any(axis=1))

    say("timing one drawing end to end")
    model = models.get("deskew", next(iter(models.values())))
    e2e = []
    for img in drawings["canvas"][:TIMED_DRAWINGS]:
        t0 = time.perf_counter()
        p = preprocess.to_mnist(img)
        if not p.empty:
            predict_digit(model, p.image28)
        e2e.append((time.perf_counter() - t0) * 1e3)

    return BenchResult(
        n=len(y), seed=seed, config=config.to_dict(), fit_seconds=fit_seconds, rows=rows,
        ms_preprocess=float(np.median(prep_ms)), ms_plain=float(np.median(plain_ms)),
        ms_end_to_end=float(np.median(e2e)), no_ink=no_ink, ablation=abl,
    )


# --- printing ------------------------------------------------------------------------------


def format_table(r: BenchResult) -> str:
    """The side-by-side table, as printed by the command."""
    head = (f"{'model':<8} {'clean':>7} | {'canvas':>7} {'plain':>7} | {'paper':>7} {'plain':>7}"
            f" | {'worst gap':>9}")
    lines = [
        f"bench-canvas: {r.n} tutorial-split test digits re-drawn on a {CANVAS}x{CANVAS} canvas "
        + f"(seed {r.seed})",
        "canvas = white ink on black RGBA; paper = dark ink on light, photo-like JPEG;",
        "plain = grey + cv2.resize to 28x28 (the usual demo); others = preprocess.to_mnist",
        "",
        head,
        "-" * len(head),
    ]
    for row in r.rows:
        gap = row.clean - min(row.canvas, row.paper)
        lines.append(
            f"{row.model:<8} {row.clean:>7.3f} | {row.canvas:>7.3f} {row.canvas_plain:>7.3f} |"
            f" {row.paper:>7.3f} {row.paper_plain:>7.3f} | {gap * 100:>+8.1f}pt"
        )
    lines.append("")
    if r.ablation:
        lines.append("without stroke evening (plain model): "
                     + ", ".join(f"{k} {v:.3f}" for k, v in r.ablation.items()))
    lines.append(f"drawings read as 'no ink' (plain model): {r.no_ink}")
    lines.append(
        f"median ms per drawing: to_mnist {r.ms_preprocess:.2f} | plain resize {r.ms_plain:.2f}"
        f" | to_mnist + predict (one drawing) {r.ms_end_to_end:.2f}"
    )
    if r.fit_seconds:
        c = r.config
        lines.append(
            f"models: TrainConfig(solver={c['solver']}, C={c['C']}, scaling={c['scaling']}, "
            f"train_size={c['train_size']}), deskew off/on; fit "
            + ", ".join(f"{k} {v:.1f} s" for k, v in r.fit_seconds.items())
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m digitlab bench-canvas",
        description="Re-draw MNIST test digits like canvas drawings and photos; compare the "
                    "MNIST preprocessing with a plain resize and with the clean test accuracy.",
    )
    parser.add_argument("--n", type=int, default=DEFAULT_N,
                        help=f"test digits to re-draw, each in both styles (default {DEFAULT_N})")
    parser.add_argument("--seed", type=int, default=0, help="seed for digits and drawings")
    parser.add_argument("--train-size", type=int, default=DEFAULT_TRAIN_SIZE,
                        help=f"training images for the models (default {DEFAULT_TRAIN_SIZE}; "
                             "0 = all 59.5k, slower)")
    parser.add_argument("--no-ablation", action="store_true",
                        help="skip the run without stroke evening")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.n < 10:
        parser.error(f"--n must be at least 10; got {args.n}.")
    if args.train_size and args.train_size < 100:
        parser.error(f"--train-size must be at least 100 (or 0 for all); got {args.train_size}.")

    def say(msg: str) -> None:
        print(f"... {msg}", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    result = run(n=args.n, seed=args.seed, train_size=args.train_size or None,
                 ablation=not args.no_ablation, progress=None if args.json else say)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(format_table(result))
        print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
