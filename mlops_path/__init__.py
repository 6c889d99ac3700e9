"""mlops-path: a command-line learning path for MLOps."""

__version__ = "0.1.0"
