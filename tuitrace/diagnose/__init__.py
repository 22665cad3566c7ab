"""Findings: what the numbers of a trace mean, said in one sentence each, never more than the data shows."""
