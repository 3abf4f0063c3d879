"""Unit tests: small synthetic arrays and pure functions; no MNIST, no Streamlit runtime."""
