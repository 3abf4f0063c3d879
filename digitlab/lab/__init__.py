"""The lab: what a learner does with a trained model besides scoring it: look inside it, try
to fool it, compare runs, share settings as a link, and take the code home.

    explain     why the model answered what it did: weights, evidence, the loss's terms
    neighbours  the training images closest to a drawing
    digitmap    the test digits on a 2-D map (PCA), and a drawing placed on it
    fool        shift, rotate, scale and thicken a drawing until the answer changes
    history     a session's runs, newest first, and two of them compared
    links       a TrainConfig <-> a link's query parameters, every value checked; lessons
    shortlinks  a lesson link's short form (?l=<code>), the long one kept in a file
    script      the settings as a short scikit-learn script and a command line
    notebook    the settings as a Jupyter notebook of the tutorial's steps (script's pieces)

Functions whose names need their module (explain.read, links.read/write/url, history.compare,
neighbours.build/nearest, digitmap.build, script.command, notebook.notebook_json) stay behind
it: `from digitlab.lab import links`.
"""

from digitlab.lab.digitmap import DigitMap
from digitlab.lab.explain import (
    Loss,
    OneVsRest,
    PixelWeights,
    Reading,
    loss_terms,
    model_weights,
    one_vs_rest,
    pixel_weights,
    zero_share,
)
from digitlab.lab.fool import Attempt, Change, attempt, reached, rotation_sweep
from digitlab.lab.history import Comparison, History, Run, describe_extras
from digitlab.lab.links import BOUNDS, DEFAULTS, FIELDS, Lesson, Link, LinkError, beyond_page
from digitlab.lab.neighbours import NeighbourIndex
from digitlab.lab.script import sklearn_script

__all__ = ["BOUNDS", "DEFAULTS", "FIELDS", "Attempt", "Change", "Comparison", "History",
           "DigitMap", "Lesson", "Link", "LinkError", "Loss", "NeighbourIndex", "OneVsRest",
           "PixelWeights", "Reading", "Run", "attempt", "beyond_page", "describe_extras",
           "loss_terms", "model_weights", "one_vs_rest", "pixel_weights", "reached",
           "rotation_sweep", "sklearn_script", "zero_share"]
