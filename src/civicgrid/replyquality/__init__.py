"""Reply quality: scores public replies for relevance, completeness, explanation, timeliness."""
