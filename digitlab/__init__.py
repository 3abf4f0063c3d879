"""DigitLab: multinomial logistic regression on MNIST, as a library, a command line and an app.

Data flows one way: data -> model -> evaluate -> plots. Nothing here imports Streamlit except
`digitlab.ui`.
"""

__version__ = "0.1.0"
