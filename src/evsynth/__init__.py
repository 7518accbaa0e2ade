"""evsynth: a reproducible pipeline for systematic reviews and meta-analysis."""

__all__ = ["__version__"]

__version__ = "0.1.0"
