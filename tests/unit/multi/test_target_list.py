"""Which hosts a run traces: the positional words, ``--targets-file``, and the one-line errors of both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuitrace.defaults import MAX_TARGETS
from tuitrace.errors import TuitraceError
from tuitrace.targetlist import parse_targets_file, read_targets_file, split_words, target_hosts


def test_traceroutes_host_and_packet_length_stay_one_target() -> None:
    assert split_words(["example.org", "60"]).hosts == ("example.org",)
    assert split_words(["example.org", "60"]).packet_len == "60"
    assert split_words(["example.org", "nan"]).packet_len == "nan"  # refused later as a length, in one line


def test_several_words_are_several_hosts_and_a_last_number_is_the_packet_length() -> None:
    assert split_words(["a.example", "b.example"]).hosts == ("a.example", "b.example")
    words = split_words(["a.example", "b.example", "c.example", "80"])
    assert (words.hosts, words.packet_len) == (("a.example", "b.example", "c.example"), "80")


def test_a_targets_file_has_one_host_per_line_with_comments_and_blank_lines() -> None:
    text = "# lab\n10.201.5.2\n\n  dst.lab  # the far end\nfd00:201:5::2\n"
    assert parse_targets_file(text, "hosts.txt") == ["10.201.5.2", "dst.lab", "fd00:201:5::2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a.example\nb.example c.example\n",
         "hosts.txt line 2: one host per line, not 'b.example c.example'"),
        ("a.example\n\n# x\nbad/host\n", "hosts.txt line 4: 'bad/host' is not a host name or address"),
        ("a\x1b[31m\n", r"hosts.txt line 1: 'a\x1b[31m' is not a host name or address"),
        ("x" * 300 + "\n", "hosts.txt line 1: '" + "x" * 40 + "…' is longer than 253 characters"),
    ],
)
def test_a_bad_line_is_one_error_naming_the_file_and_the_line(text: str, message: str) -> None:
    with pytest.raises(TuitraceError) as caught:
        parse_targets_file(text, "hosts.txt")
    assert str(caught.value) == message


def test_a_file_that_cannot_be_used_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(TuitraceError, match=r"cannot read .*missing\.txt: no such file or directory"):
        read_targets_file(str(tmp_path / "missing.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n\n")
    with pytest.raises(TuitraceError, match="no host in it"):
        read_targets_file(str(empty))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"a.example\n\xff\xfe\n")
    with pytest.raises(TuitraceError, match=r"binary.txt line 2: not UTF-8 text"):
        read_targets_file(str(binary))
    with pytest.raises(TuitraceError, match="it is a directory"):
        read_targets_file(str(tmp_path))


def test_the_file_adds_to_the_hosts_on_the_command_line(tmp_path: Path) -> None:
    listing = tmp_path / "hosts.txt"
    listing.write_text("b.example\nc.example\n")
    assert target_hosts(["a.example"], str(listing)).hosts == ("a.example", "b.example", "c.example")
    assert target_hosts([], str(listing)).hosts == ("b.example", "c.example")


def test_no_host_and_too_many_hosts_are_errors() -> None:
    with pytest.raises(TuitraceError, match="give a host to trace"):
        target_hosts([], None)
    with pytest.raises(TuitraceError, match=f"at most {MAX_TARGETS}"):
        target_hosts([f"10.0.0.{n}" for n in range(1, MAX_TARGETS + 2)], None)
