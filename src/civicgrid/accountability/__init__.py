"""Accountability: the rates, monthly rankings, equity view, open data and public dashboard."""
