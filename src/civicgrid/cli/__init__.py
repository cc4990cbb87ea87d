"""The `civicgrid` command line: one module per command group."""
