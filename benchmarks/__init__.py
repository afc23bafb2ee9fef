"""Benchmarks and the labelled text-matching evaluation for the matching engine.

Not part of the installed packages and not run in CI: ``python -m
benchmarks.matching`` measures speed, memory and quality of a matching round on
generated cohorts, and ``python -m benchmarks.texteval`` measures how well the
text scorer ranks the right mentor on a labelled set derived from ESCO.
"""
