"""f1lake: a Formula 1 results lake on AWS, and a local stack that runs the same code."""

__version__ = "0.1.0"
