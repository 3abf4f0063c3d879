"""The `train` command: fit a model on the tutorial's split, score it on the test images,
report it (or print it as JSON) and save it; `fit_and_score` is shared with `reproduce`."""

from __future__ import annotations

import argparse
import json
import sys

from digitlab import data
from digitlab.classroom import ClassDigits, add_set, load_set
from digitlab.cli.shared import CommandError, err, load, number, print_event, ticker
from digitlab.model import FEATURES, SCALINGS, TrainConfig, solvers, training_rows
from digitlab.training import (
    PRESET_IDS,
    digits_to_draw,
    evaluate,
    expected_seconds,
    fit,
    modelfile,
    n_train_for,
    preset,
)

HELP = "fit a model on the tutorial's split and report it"
SETTINGS = ("C", "l1_ratio", "solver", "max_iter", "tol", "test_size", "seed", "scaling",
            "train_size", "deskew", "augment", "features",
            "printed", "fat_pen")  # TrainConfig's, each an option


def add_settings(t: argparse.ArgumentParser) -> None:
    """One option per TrainConfig setting (the `notebook` command takes the same)."""
    augmenting = [s.name for s in solvers.SOLVERS.values() if s.augments]
    t.add_argument("--preset", metavar="NAME",
                   help=f"start from one of the app's presets ({', '.join(PRESET_IDS)}): "
                        "exactly what its Train page button trains; the options below change "
                        "it")
    t.add_argument("--C", type=number, help="inverse regularisation (inf = no penalty)")
    t.add_argument("--l1-ratio", dest="l1_ratio", type=float,
                   help="0 = L2, 1 = L1, between = elastic net (" + ", ".join(
                       solvers.accepting(1.0, 1.0)) + ")")
    t.add_argument("--solver", help=f"one of: {', '.join(solvers.SOLVERS)} (default "
                                    f"{solvers.FAST})")
    t.add_argument("--max-iter", dest="max_iter", type=int)
    t.add_argument("--tol", type=float)
    t.add_argument("--test-size", dest="test_size", type=float)
    t.add_argument("--seed", type=int)
    t.add_argument("--scaling", help=f"one of: {', '.join(SCALINGS)}")
    t.add_argument("--train-size", dest="train_size", type=int,
                   help="fit on only this many training images")
    t.add_argument("--deskew", action="store_true", default=None, help="straighten slanted digits")
    t.add_argument("--augment", action="store_true", default=None,
                   help="train on copies of the digits stretched and re-inked at random, made "
                        f"afresh every epoch ({', '.join(augmenting)} only)")
    t.add_argument("--printed", type=int, metavar="N",
                   help="also train on N printed digits (typefaces the benchmark tunes on, "
                        "drawn at random sizes, pens and scans)")
    t.add_argument("--fat-pen", dest="fat_pen", type=int, metavar="N",
                   help="also train on N of the training digits re-drawn with a fat pen (2.5 to "
                        "4 px at 28x28) and read as the Draw page reads a drawing")
    t.add_argument("--features", help="what the classifier sees: " + "; ".join(
        f"{f.name} = {f.summary}" for f in FEATURES.values()))


def add_arguments(t: argparse.ArgumentParser) -> None:
    add_settings(t)
    t.add_argument("--add-set", dest="add_set", metavar="PATH",
                   help="join a class set (.npz, IDX .zip, or a folder of the two IDX files: "
                        "the app's Class set export) to the training images")
    t.add_argument("--add-repeats", dest="add_repeats", type=int, metavar="K",
                   help="count each added digit K times (default: so they are about a tenth "
                        "of the training rows)")
    t.add_argument("--save", metavar="PATH", help="write the model to a skops file")
    t.add_argument("--json", action="store_true", help="print one JSON object")


def config_from_args(args) -> TrainConfig:
    """The TrainConfig the options give, over the preset's if one is named (TrainConfig checks
    every value, with a sentence)."""
    given = {k: getattr(args, k) for k in SETTINGS if getattr(args, k) is not None}
    name = getattr(args, "preset", None)
    return TrainConfig(**given) if name is None else preset(name).replace(**given)


def fit_and_score(cfg: TrainConfig, ds: data.Dataset, verbose: bool = True,
                  add: ClassDigits | None = None, repeats: int | None = None):
    """Fit `cfg` on the split it names (printing progress to stderr) and score the test set:
    (the fit, its Evaluation, its Calibration); `add`: class digits joined to the training
    rows (each counted `repeats` times)."""
    X_train, X_test, y_train, y_test = data.split(ds.X, ds.y, cfg.test_size, cfg.seed)
    if add is not None:
        X_train, y_train = training_rows(cfg, X_train, y_train)
        X_train, y_train, k = add_set(X_train, y_train, add.X, add.y, repeats)
        cfg = cfg.replace(train_size=None)  # the subset is taken; the added rows must stay
        print(f"added {len(add):,} class digits to the training images, each counted {k} "
              "times", file=sys.stderr)
    n = n_train_for(cfg, len(y_train))
    to_draw = digits_to_draw(cfg, X_train, y_train, ds.side)
    estimate = expected_seconds(cfg, len(y_train), to_draw=to_draw)
    if any(to_draw):
        print(f"drawing {to_draw[0]:,} printed and {to_draw[1]:,} fat-pen training digits "
              "once (later fits read them from the cache)", file=sys.stderr)
    if verbose:
        print(f"fitting {cfg} on {n:,} images", file=sys.stderr)
    with ticker(f"{cfg.solver} fit", estimate=estimate):
        result = fit(cfg, X_train, y_train, on_progress=print_event if verbose else None,
                     side=ds.side)
    ev = evaluate.evaluate(result.model, X_test, y_test)
    return result, ev, evaluate.calibration_of(ev, y_test)


def command(args) -> int:
    cfg = config_from_args(args)
    add = load_set(args.add_set) if args.add_set else None
    ds = load()
    if add is not None and ds.side != 28:
        err(f"--add-set needs MNIST (28x28 images); the data loaded is {ds.name}.")
        return 2
    result, ev, cal = fit_and_score(cfg, ds, verbose=not args.json, add=add,
                               repeats=args.add_repeats)
    if args.save:
        try:
            path = modelfile.save(result, args.save, data_name=ds.name)
        except OSError as exc:
            raise CommandError(f"could not write {args.save}: {exc.strerror or exc}") from None
        print(f"saved the model to {path}", file=sys.stderr)
    if args.json:
        print(json.dumps({
            "accuracy": ev.accuracy, "fit_seconds": result.fit_seconds, "n_iter": result.n_iter,
            "converged": result.converged, "n_train": result.n_train, "n_test": ev.n,
            "confusion_matrix": ev.confusion.tolist(), "report": ev.report,
            "calibration_error": cal.ece,
            "config": cfg.to_dict(), "data": ds.describe(), "notes": list(result.notes),
        }))
        return 0
    print(f"data:       {ds.describe()}")
    print(f"config:     {cfg}")
    print(f"accuracy:   {ev.accuracy:.4f} on {ev.n:,} test images")
    print(f"calibration error: {cal.ece:.4f} (how far its confidence is from its accuracy, "
          f"over {len(cal.edges) - 1} bins)")
    print(f"fit:        {result.fit_seconds:.2f} s, {result.n_iter} iterations, "
          f"{'converged' if result.converged else 'NOT converged'}")
    for note in result.notes:
        print(f"note:       {note}")
    print("\nconfusion matrix (rows: true, columns: predicted)")
    print("\n".join("".join(f"{v:>6d}" for v in row) for row in ev.confusion))
    print("\n" + ev.report_text)
    return 0
