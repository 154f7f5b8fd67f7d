"""Strategies, harness, properties, reports and the CLI: the only layer that sees everything."""
