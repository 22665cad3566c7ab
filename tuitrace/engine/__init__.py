"""Drives the tracer over a network, keeps statistics, and takes commands from the UI."""
