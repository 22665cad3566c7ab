"""Headless renderers of a snapshot: an mtr-style text table, JSON and CSV."""
