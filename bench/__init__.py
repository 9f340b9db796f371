"""Benchmarks of the register against plain SQL on the same database (`python -m bench`)."""
