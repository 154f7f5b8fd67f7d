"""Benchmarks (``tox -e bench``); results are committed under bench/results/."""
