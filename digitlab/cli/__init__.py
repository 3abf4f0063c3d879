"""`python -m digitlab ...`: fetch, train, predict, sweep, classset, reproduce (benchmarks:
benchmarks/).

Errors a user can cause (a bad setting, no data, an unreadable file) end as one sentence on
stderr and exit code 2; a traceback here means a bug.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from digitlab.classroom import classfiles, classset
from digitlab.classroom import retrain as classtrain
from digitlab.data import mnist as data
from digitlab.model import config, solvers
from digitlab.model.config import ConfigError, TrainConfig
from digitlab.model.features import FEATURES
from digitlab.training import evaluate, fitting, modelfile, tutorial
from digitlab.training import session as training


def _err(msg: str) -> None:
    print(f"digitlab: {msg}", file=sys.stderr)


def _progress_printer(fraction: float, message: str) -> None:
    print(f"[{fraction:>4.0%}] {message}", file=sys.stderr, flush=True)


@contextmanager
def ticker(label: str, every: float = 10.0, estimate: float | None = None):
    """Print elapsed time to stderr every `every` seconds while a one-call fit runs
    (scikit-learn's solvers give no callback). With `estimate`, also an estimated share done."""
    stop = threading.Event()
    t0 = time.perf_counter()

    def run() -> None:
        while not stop.wait(every):
            el = time.perf_counter() - t0
            extra = (f", about {min(el / estimate, 0.99):.0%} of the expected "
                     f"{estimate / 60:.0f} min") if estimate else ""
            print(f"  {label}: {el:,.0f} s elapsed{extra}", file=sys.stderr, flush=True)

    th = threading.Thread(target=run, daemon=True)
    th.start()
    try:
        yield
    finally:
        stop.set()
        th.join()


def _load() -> data.Dataset:
    ds = data.load_mnist(progress=_progress_printer)
    for note in ds.notes:
        print(f"  {note}", file=sys.stderr)
    if not ds.is_mnist:
        _err(f"WARNING: MNIST is unavailable; using {ds.describe()}")
    return ds


def _print_event(ev: fitting.ProgressEvent) -> None:
    parts = [f"  iter {ev.iteration}/{ev.max_iter}", f"{ev.elapsed:6.1f} s"]
    if ev.loss is not None:
        parts.append(f"loss {ev.loss:.4f}")
    if ev.val_accuracy is not None:
        parts.append(f"held-out acc {ev.val_accuracy:.4f}")
    if ev.message:
        parts.append(ev.message)
    print("  ".join(parts), file=sys.stderr, flush=True)


# --- commands --------------------------------------------------------------------------------


def cmd_fetch(args) -> int:
    name, *rest = args.source
    path = rest[0] if rest else None
    source = data.SOURCES.get(name)
    if source is None and name != "auto":
        _err(f"--source must be one of auto, {', '.join(data.SOURCES)}; got {name!r}")
        return 2
    if source is not None and source.needs_path and not path:
        _err(f"--source {name} needs a folder: --source {name} PATH")
        return 2
    if (source is None or not source.needs_path) and rest:
        _err(f"--source {name} takes no path")
        return 2
    ds = data.load_mnist(name, idx_path=path, progress=_progress_printer, allow_fallback=False)
    for note in ds.notes:
        print(f"  {note}")
    print(ds.describe())
    if ds.is_mnist:
        print(data.cache_status())
    return 0


def _config_from_args(args) -> TrainConfig:
    given = {k: getattr(args, k) for k in ("C", "l1_ratio", "solver", "max_iter", "tol",
                                           "test_size", "seed", "scaling", "train_size",
                                           "deskew", "augment", "features")
             if getattr(args, k) is not None}
    return TrainConfig(**given)


def _fit_and_score(cfg: TrainConfig, ds: data.Dataset, verbose: bool = True,
                   add: classfiles.ClassDigits | None = None, repeats: int | None = None):
    """Fit `cfg` on the split it names (printing progress to stderr) and score the test set;
    `add`: class digits joined to the training rows (each counted `repeats` times)."""
    X_train, X_test, y_train, y_test = data.split(ds.X, ds.y, cfg.test_size, cfg.seed)
    if add is not None:
        X_train, y_train = fitting.training_rows(cfg, X_train, y_train)
        X_train, y_train, k = classtrain.add_set(X_train, y_train, add.X, add.y, repeats)
        cfg = cfg.replace(train_size=None)  # the subset is taken; the added rows must stay
        print(f"added {len(add):,} class digits to the training images, each counted {k} "
              "times", file=sys.stderr)
    n = training.n_train_for(cfg, len(y_train))
    estimate = training.expected_seconds(cfg, len(y_train))
    if verbose:
        print(f"fitting {cfg} on {n:,} images", file=sys.stderr)
    with ticker(f"{cfg.solver} fit", estimate=estimate):
        result = fitting.fit(cfg, X_train, y_train, on_progress=_print_event if verbose else None,
                             side=ds.side)
    ev = evaluate.evaluate(result.model, X_test, y_test)
    return result, ev


def cmd_train(args) -> int:
    cfg = _config_from_args(args)
    add = classfiles.load_set(args.add_set) if args.add_set else None
    ds = _load()
    if add is not None and ds.side != 28:
        _err(f"--add-set needs MNIST (28x28 images); the data loaded is {ds.name}.")
        return 2
    result, ev = _fit_and_score(cfg, ds, verbose=not args.json, add=add,
                                repeats=args.add_repeats)
    if args.save:
        path = modelfile.save(result, args.save, data_name=ds.name)
        print(f"saved the model to {path}", file=sys.stderr)
    if args.json:
        print(json.dumps({
            "accuracy": ev.accuracy, "fit_seconds": result.fit_seconds, "n_iter": result.n_iter,
            "converged": result.converged, "n_train": result.n_train, "n_test": ev.n,
            "confusion_matrix": ev.confusion.tolist(), "report": ev.report,
            "config": cfg.to_dict(), "data": ds.describe(), "notes": list(result.notes),
        }))
        return 0
    print(f"data:       {ds.describe()}")
    print(f"config:     {cfg}")
    print(f"accuracy:   {ev.accuracy:.4f} on {ev.n:,} test images")
    print(f"fit:        {result.fit_seconds:.2f} s, {result.n_iter} iterations, "
          f"{'converged' if result.converged else 'NOT converged'}")
    for note in result.notes:
        print(f"note:       {note}")
    print("\nconfusion matrix (rows: true, columns: predicted)")
    print("\n".join("".join(f"{v:>6d}" for v in row) for row in ev.confusion))
    print("\n" + ev.report_text)
    return 0


def cmd_predict(args) -> int:
    from digitlab.data import preprocess
    from digitlab.model.predict import predict_digit

    try:
        payload = modelfile.load(args.model)  # refuses an 8x8 model: it cannot read a photo
    except modelfile.ModelFileError as exc:
        _err(str(exc))
        return 2
    pipe = payload["model"]
    results = []
    for name in args.images:
        try:
            prepared = preprocess.to_mnist(preprocess.read_image(Path(name)))
            if prepared.empty:
                results.append({"file": name, "error": prepared.message})
                continue
            digit, proba = predict_digit(pipe, prepared.image28)
            results.append({"file": name, "digit": digit,
                            "probabilities": [round(float(p), 6) for p in proba]})
        except (OSError, ValueError) as exc:  # PreprocessError is a ValueError
            results.append({"file": name, "error": str(exc)})
    if args.json:
        print(json.dumps(results))
    else:
        for r in results:
            if "error" in r:
                print(f"{r['file']}: cannot classify: {r['error']}")
            else:
                probs = " ".join(f"{k}:{p:.2f}" for k, p in enumerate(r["probabilities"]))
                print(f"{r['file']}: {r['digit']}  (p={max(r['probabilities']):.2f})  [{probs}]")
    return 0 if all("digit" in r for r in results) else 1


def cmd_classset(args) -> int:
    """The class set the app keeps ($DIGITLAB_DB): what is in it, export it, import a file."""
    store = classset.ClassSet()
    if args.action == "info":
        X, y = store.arrays()
        print(f"class set: {store.path}")
        print(f"digits:    {len(y):,} ({store.count(classset.Filter(fooled=True)):,} fooled "
              "the model that answered when they were saved)")
        print("per label: " + "  ".join(f"{d}:{int((y == d).sum())}" for d in range(10)))
        return 0
    if not args.path:
        _err(f"classset {args.action} needs a PATH")
        return 2
    if args.action == "export":
        path = Path(args.path)
        write = {".npz": classfiles.to_npz, ".zip": classfiles.to_idx_zip}.get(path.suffix)
        if write is None:
            _err("export to a .npz file, or to a .zip of the two IDX files")
            return 2
        digits = classfiles.from_store(store)
        try:
            path.write_bytes(write(digits))
        except OSError as exc:
            _err(f"could not write {path}: {exc.strerror or exc}")
            return 2
        print(f"wrote {len(digits):,} digits to {path}")
        return 0
    digits = classfiles.load_set(args.path)
    added, skipped = store.add_many(digits.X, digits.y, digits.names, digits.groups)
    print(f"added {added:,} digits to {store.path}"
          + (f" ({skipped:,} were there already)" if skipped else ""))
    return 0


def cmd_reproduce(args) -> int:
    ds = _load()
    if not ds.is_mnist:
        _err("reproduce needs MNIST; it is unavailable, so there is nothing to compare.")
        return 2
    if args.fast:
        cfg = TrainConfig()
        title = (f"DigitLab's fast setting ({cfg.solver}, pixels {cfg.scaling}) "
                 "on the tutorial's split")
    else:
        cfg = tutorial.CONFIG
        title = ("the tutorial's setting: sag, C=1, L2, max_iter=1000, raw 0-255 pixels, "
                 "test_size=0.15, random_state=0")
        print("This runs about 14 minutes on 2 cores (sag needs ~770 epochs on raw pixels); "
              "--fast runs in seconds.", file=sys.stderr)
    print(f"reproducing {title}", file=sys.stderr)
    t0 = time.perf_counter()
    result, ev = _fit_and_score(cfg, ds)
    total = time.perf_counter() - t0
    print(f"\n{title}")
    print(f"fit {result.fit_seconds:,.1f} s ({result.n_iter} iterations, "
          f"{'converged' if result.converged else 'not converged'}); total {total:,.1f} s")
    support = tuple(int(v) for v in ev.confusion.sum(axis=1))
    same = "match" if support == tutorial.TEST_SUPPORT else "DIFFER FROM"
    print(f"test supports: {support} ({same} the tutorial's)\n")
    print(tutorial.side_by_side(ev.confusion, ev.report, ev.accuracy))
    return 0


def cmd_sweep(args) -> int:
    """Fit along a grid (C, or training sizes) and print train and test accuracy per point."""
    from digitlab.cli import sweep as sweep_cli

    return sweep_cli.command(args, _load)


# --- the parser ------------------------------------------------------------------------------


def _number(text: str) -> float:
    """A float, "inf" included; its sign and range are TrainConfig's to check, with a sentence."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if math.isnan(v):
        raise argparse.ArgumentTypeError("must be a number, not nan")
    return v


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m digitlab",
                                description="Multinomial logistic regression on MNIST.")
    sub = p.add_subparsers(dest="command", required=True)

    f = sub.add_parser("fetch", help="get MNIST and cache it; prints where it came from")
    f.add_argument("--source", nargs="+", default=["auto"], metavar="SOURCE",
                   help="auto (the default: each in turn) | " + " | ".join(
                       f"{s.name} PATH" if s.needs_path else s.name
                       for s in data.SOURCES.values()))
    f.set_defaults(func=cmd_fetch)

    t = sub.add_parser("train", help="fit a model on the tutorial's split and report it")
    augmenting = [s.name for s in solvers.SOLVERS.values() if s.augments]
    t.add_argument("--C", type=_number, help="inverse regularisation (inf = no penalty)")
    t.add_argument("--l1-ratio", dest="l1_ratio", type=float,
                   help="0 = L2, 1 = L1, between = elastic net (" + ", ".join(
                       solvers.accepting(1.0, 1.0)) + ")")
    t.add_argument("--solver", help=f"one of: {', '.join(solvers.SOLVERS)} (default "
                                    f"{solvers.FAST})")
    t.add_argument("--max-iter", dest="max_iter", type=int)
    t.add_argument("--tol", type=float)
    t.add_argument("--test-size", dest="test_size", type=float)
    t.add_argument("--seed", type=int)
    t.add_argument("--scaling", help=f"one of: {', '.join(config.SCALINGS)}")
    t.add_argument("--train-size", dest="train_size", type=int,
                   help="fit on only this many training images")
    t.add_argument("--deskew", action="store_true", default=None, help="straighten slanted digits")
    t.add_argument("--augment", action="store_true", default=None,
                   help="train on copies of the digits stretched and re-inked at random, made "
                        f"afresh every epoch ({', '.join(augmenting)} only)")
    t.add_argument("--features", help="what the classifier sees: " + "; ".join(
        f"{f.name} = {f.summary}" for f in FEATURES.values()))
    t.add_argument("--add-set", dest="add_set", metavar="PATH",
                   help="join a class set (.npz, IDX .zip, or a folder of the two IDX files: "
                        "the app's Class set export) to the training images")
    t.add_argument("--add-repeats", dest="add_repeats", type=int, metavar="K",
                   help="count each added digit K times (default: so they are about a tenth "
                        "of the training rows)")
    t.add_argument("--save", metavar="PATH", help="write the model to a skops file")
    t.add_argument("--json", action="store_true", help="print one JSON object")
    t.set_defaults(func=cmd_train)

    pr = sub.add_parser("predict", help="classify image files with a saved model")
    pr.add_argument("--model", required=True, metavar="PATH")
    pr.add_argument("--json", action="store_true")
    pr.add_argument("images", nargs="+", metavar="IMAGE")
    pr.set_defaults(func=cmd_predict)

    from digitlab.cli.sweep import add_arguments

    sw = sub.add_parser("sweep", help="train and test accuracy along a grid of C (or of "
                                      "training sizes), on local cores or a Dask cluster")
    add_arguments(sw, _number)
    sw.set_defaults(func=cmd_sweep)

    c = sub.add_parser("classset", help="the app's class set: info, export PATH, import PATH")
    c.add_argument("action", choices=["info", "export", "import"])
    c.add_argument("path", nargs="?", metavar="PATH",
                   help="export: a .npz or .zip (IDX); import: a .npz, .zip or IDX folder")
    c.set_defaults(func=cmd_classset)

    r = sub.add_parser("reproduce", help="the tutorial end to end, beside its published results")
    r.add_argument("--fast", action="store_true", help="DigitLab's fast setting instead (seconds)")
    r.set_defaults(func=cmd_reproduce)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sweep"]:
        from digitlab.cli.sweep import glue_lists

        argv = glue_lists(argv)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, data.DataError, classfiles.ClassFileError, classset.ClassSetError,
            classtrain.ClassTrainError) as exc:
        _err(str(exc))
        return 2
    except KeyboardInterrupt:
        _err("stopped.")
        return 130


if __name__ == "__main__":
    sys.exit(main())

