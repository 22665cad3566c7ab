"""Screens over the main view: the help and the small inputs for port, sendwait and interval."""
