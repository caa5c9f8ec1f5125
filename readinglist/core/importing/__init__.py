"""Bringing papers in: the import pipeline, the matching rules it shares with
completion from arXiv, the row writer both use, and the bulk and piecewise paths."""
