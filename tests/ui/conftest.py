"""Fixtures for the UI tests: a fake engine with some rounds done; ``async def`` tests run in a loop."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from .fake_engine import FakeEngine


@pytest.fixture
def engine() -> FakeEngine:
    fake = FakeEngine()
    fake.advance(6)
    return fake


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests (Pilot needs an event loop) without an async plugin."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
