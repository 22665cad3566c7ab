"""Allows ``python -m tuitrace``."""

from tuitrace.cli import main

raise SystemExit(main())
