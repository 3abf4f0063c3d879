"""DigitLab: multinomial logistic regression on MNIST, as a library, a command line and an app.

Data flows one way: sources -> data -> (config, solvers) -> fitting -> evaluate -> plots; a
drawing takes images -> preprocess -> predict. Nothing here imports Streamlit: the app's glue
lives beside its pages (pages/shared/, pages/panels/).
"""

__version__ = "0.2.0"
