"""The screenshot key: an SVG of the screen and a Markdown report, written whole, named for a ticket."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from tuitrace.report.files import write_atomic
from tuitrace.ui.app import TraceApp
from tuitrace.ui.options import UiOptions
from tuitrace.ui.screenshot import file_stem, save_screenshot, save_ticket_screenshot

from .fake_engine import FakeEngine


async def test_s_writes_an_svg_and_a_markdown_report_and_shows_the_paths(
        engine: FakeEngine, tmp_path: Path) -> None:
    out = tmp_path / "shots"
    options = UiOptions(output_dir=out, command_line="tuitrace -I lab-dst", mode_label="raw")
    app = TraceApp(engine, options)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("t")
        await pilot.press("i")
        await pilot.press("s")
        await pilot.pause()
        files = sorted(p.name for p in out.iterdir())
        assert len(files) == 2, files
        svg_name, md_name = (n for n in sorted(files, key=lambda n: n.endswith(".md")))
        assert svg_name.startswith("tuitrace-lab-dst-") and svg_name.endswith(".svg")
        assert md_name == svg_name.removesuffix(".svg") + ".md"

        root = ET.parse(out / svg_name).getroot()
        assert root.tag.endswith("svg")
        svg_text = "".join(root.itertext())
        assert "10.0.9.2" in svg_text.replace("\xa0", " ")

        markdown = (out / md_name).read_text(encoding="utf-8")
        assert "`tuitrace -I lab-dst`" in markdown
        assert "Protocol/port: ICMP" in markdown
        assert "Mode: raw" in markdown
        assert "Settings traced this session: ICMP, TCP/80" in markdown
        assert svg_name in markdown
        for address in ("10.0.1.1", "10.0.2.1", "10.0.3.1", "10.0.4.1", "10.0.9.2"):
            assert address in markdown
        messages = [n.message for n in app._notifications]
        assert messages == [f"{out / svg_name}\n{out / md_name}"]


def test_second_screenshot_in_the_same_second_gets_its_own_name(tmp_path: Path) -> None:
    stem = file_stem("lab dst/::1", datetime(2024, 5, 6, 7, 8, 9))
    assert stem == "tuitrace-lab_dst_1-20240506-070809"
    first = save_screenshot(tmp_path, stem, "<svg/>", lambda name: f"see {name}")
    second = save_screenshot(tmp_path, stem, "<svg/>", lambda name: f"see {name}")
    assert first.svg != second.svg
    assert second.markdown.read_text() == f"see {second.svg.name}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [first.svg.name, first.markdown.name, second.svg.name, second.markdown.name])


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, "new " * 10_000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_a_ticket_screenshot_is_named_for_the_target_and_time_and_its_page_names_the_svg(
        engine: FakeEngine, tmp_path: Path) -> None:
    when = datetime(2024, 5, 6, 7, 8, 9).astimezone()
    paths = save_ticket_screenshot(engine.snapshot(), "<svg/>", "the table", directory=tmp_path / "new",
                                   command_line="tuitrace lab-dst", mode_label="raw", when=when)
    assert paths.svg == tmp_path / "new" / "tuitrace-lab-dst-20240506-070809.svg"
    assert paths.svg.read_text() == "<svg/>"
    assert paths.svg.stat().st_mode & 0o777 == 0o644
    page = paths.markdown.read_text()
    assert f"- Time: {when.isoformat(timespec='seconds')}" in page
    assert "- Screenshot: tuitrace-lab-dst-20240506-070809.svg" in page
    assert "```text\nthe table\n```" in page


async def test_unwritable_directory_is_reported_not_raised(engine: FakeEngine, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    app = TraceApp(engine, UiOptions(output_dir=blocker / "shots"))
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert app.is_running
        messages = [n.message for n in app._notifications if "Screenshot not saved" in n.message]
        assert len(messages) == 1, messages
        assert messages[0].startswith(f"Screenshot not saved: cannot write {blocker}"), messages
        assert "Errno" not in messages[0]
