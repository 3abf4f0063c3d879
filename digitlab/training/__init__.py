"""Training: a TrainConfig and the training rows become a fitted, scored model, shared between
sessions, run in the background for a page, and saved to a file.

    fitting    fit(config, X_train, y_train) -> FitResult, with no hidden state
    store      FitStore: finished fits and their features, single-flight between sessions
    session    presets, time estimates, Split and Trained, TrainingJob for a page
    estimate   fit times from fits measured on this machine (Timings), kept between restarts
    evaluate   accuracy, the confusion matrix, the per-class report, the mistakes, the
               calibration (how sure, against how often right), the gap between two
               accuracies (and whether it rests on few digits)
    movie      the weights epoch by epoch, within a byte bound, for a flipbook
    modelfile  model files in skops format, refused with a sentence when unsafe
    tutorial   the tutorial's setting and published results, verbatim

`evaluate.evaluate` and modelfile's save/load stay behind their modules
(`from digitlab.training import evaluate, modelfile`).
"""

from digitlab.training.evaluate import Calibration, Evaluation
from digitlab.training.fitting import FitResult, OnProgress, ProgressEvent, digits_to_draw, fit
from digitlab.training.modelfile import ModelFileError
from digitlab.training.movie import Movie
from digitlab.training.session import (
    LONG_FIT_SECONDS,
    PRESET_IDS,
    Split,
    Trained,
    TrainingJob,
    expected_seconds,
    format_seconds,
    n_train_for,
    preset,
    presets,
    trained,
)
from digitlab.training.store import FitStore, SingleFlightCache

__all__ = ["LONG_FIT_SECONDS", "PRESET_IDS", "Calibration", "Evaluation", "FitResult", "FitStore",
           "ModelFileError", "Movie", "OnProgress", "ProgressEvent", "SingleFlightCache",
           "Split", "Trained", "TrainingJob", "digits_to_draw", "expected_seconds", "fit",
           "format_seconds",
           "n_train_for", "preset", "presets", "trained"]
