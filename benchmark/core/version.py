"""The project's version (also ``benchmark.__version__``)."""

__version__ = "0.1.0"
