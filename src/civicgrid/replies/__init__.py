"""Reply templates: standard public answers per category, with placeholders filled per case."""
