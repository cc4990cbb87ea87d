"""civicgrid: open-source platform for responsive city governance."""

__version__ = "0.1.0"
