"""The model: its settings, what it sees, what it minimises, how it is fitted and how it reads a
digit. Everything about one multinomial logistic regression, nothing about sessions or files.

    config     TrainConfig: every setting that changes a model, validated in one place
    features   one registry of feature maps (pixels, rbf, rbf-wide) after the pixel transform
    objective  the objective and its gradient, the maths every solver shares
    pipeline   PixelTransform and the pipeline it heads (what a model file holds)
    predict    a trained model reads one digit
    solvers/   one registry of solvers, one file per family (scikit-learn's, digitlab-fast)

    from digitlab.model import TrainConfig, ConfigError, SOLVERS
"""

from digitlab.model.config import SCALINGS, ConfigError, TrainConfig, training_rows
from digitlab.model.features import FEATURES, FeatureMap
from digitlab.model.pipeline import PixelTransform, make_estimator, make_pipeline
from digitlab.model.predict import predict_digit
from digitlab.model.solvers import FAST, SOLVERS, FitStopped, Hooks, Outcome, Solver
from digitlab.model.solvers.fast import EpochInfo, FastLogisticRegression

__all__ = ["FAST", "FEATURES", "SCALINGS", "SOLVERS", "ConfigError", "EpochInfo",
           "FastLogisticRegression", "FeatureMap", "FitStopped", "Hooks", "Outcome",
           "PixelTransform", "Solver", "TrainConfig", "make_estimator", "make_pipeline",
           "predict_digit", "training_rows"]
