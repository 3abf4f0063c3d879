"""The `predict` command: classify image files with a saved model."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from digitlab.cli.shared import err
from digitlab.data import read_image, to_mnist
from digitlab.model import predict_digit
from digitlab.training import ModelFileError, modelfile

HELP = "classify image files with a saved model"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.add_argument("images", nargs="+", metavar="IMAGE")


def command(args) -> int:
    try:
        payload = modelfile.load(args.model)  # refuses an 8x8 model: it cannot read a photo
    except ModelFileError as exc:
        err(str(exc))
        return 2
    pipe = payload["model"]
    results = []
    for name in args.images:
        try:
            prepared = to_mnist(read_image(Path(name)))
            if prepared.image28 is None:  # prepared.empty, spelled so the checker narrows
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
