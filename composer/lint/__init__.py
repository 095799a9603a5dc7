"""Stage: lint — rules over loaded and composed assessments (engine, rules)."""
