"""The story of a trace: timestamped events detected from the probe results (see :mod:`.detector`)."""
