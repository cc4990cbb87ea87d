"""The grid: a hierarchy of accountable areas and the placement of cases in it."""
