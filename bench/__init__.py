"""Load, latency and memory benchmarks of the helpdesk, with their baselines.

Run by hand, never as part of the test suite: ``python -m bench.run --quick`` (see
docs/performance.md). Everything here is bench-only: the app is measured as it ships.
"""
