"""Shared, tested code for the Digits from Scratch notebooks.

Each module does one job: ``data`` (MNIST), ``idx`` (the file format), ``network``
(the neural network), ``checks`` (exercise self-checks), ``plots``, ``widgets``...
Notebooks import what they need, e.g. ``from helpers.data import load_datasets``.
"""

__version__ = "0.1.0"
