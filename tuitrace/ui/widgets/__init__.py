"""Widgets of the main screen: the header (what is traced, how, and the state) and the hop table."""
