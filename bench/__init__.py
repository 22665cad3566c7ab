"""Benchmarks of tuitrace against Debian traceroute and mtr, in one run (``python -m bench``)."""
