"""Qalam's domain and local store: records, SQLite schema and migrations, text rules.

Nothing in this package imports Qt or the network (tests/test_layers.py checks it).
"""

__version__ = "0.1.0"
