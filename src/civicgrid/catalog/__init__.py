"""The service catalogue: departments, categories with their questions, routing rules."""
