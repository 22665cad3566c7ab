"""The live, full-screen view of a trace (Textual).

Only this package imports Textual: it renders the engine's snapshots and sends the engine commands, nothing
more, so the probing core can be tested and reused without a terminal.
"""
