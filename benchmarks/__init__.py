"""Reproducible performance runs of newsarchive; `python benchmarks/run.py --quick` runs them all.

See benchmarks/RESULTS.md for the figures, the machine they were measured on and the commands.
"""
