"""tuitrace: a full-screen, mtr-style interactive traceroute for the terminal."""

__version__ = "0.1.0"
