"""Every key of the main screen, in one table.

The same table builds the Textual bindings, the footer and the help screen, so the help can never list a
key that does not work or miss one that does.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class KeySpec:
    keys: str
    """Textual key names, comma separated."""
    shown: str
    """How the help screen writes the keys."""
    action: str
    footer: str
    """Short label for the footer; empty keeps the key out of the footer."""
    help: str
    priority: bool = False
    """Wins over the keys of dialogs and their input fields (Ctrl+C quits from anywhere)."""


KEYS: tuple[KeySpec, ...] = (
    KeySpec("i", "i", "protocol('icmp')", "ICMP", "Trace with ICMP echo requests"),
    KeySpec("u", "u", "protocol('udp')", "UDP",
            "Trace with UDP: classic 33434+n, or the port set with P"),
    KeySpec("t", "t", "protocol('tcp')", "TCP", "Trace with TCP SYN to port 80, or the port set with P"),
    KeySpec("P", "P", "ask_port", "Port", "Set the destination port for UDP and TCP (empty: default)"),
    KeySpec("plus,equals_sign", "+", "sendwait_step(1)", "", "Raise the sendwait (pause between probes)"),
    KeySpec("minus", "-", "sendwait_step(-1)", "", "Lower the sendwait"),
    KeySpec("S", "S", "ask_sendwait", "", "Type an exact sendwait (above 10 means ms, like -z)"),
    KeySpec("I", "I", "ask_interval", "", "Type the interval between rounds, in seconds"),
    KeySpec("p,space", "p space", "toggle_pause", "Pause", "Pause or resume probing"),
    KeySpec("r", "r", "reset", "Reset", "Reset the statistics of the current protocol and port"),
    KeySpec("n", "n", "toggle_names", "", "Show host names or addresses"),
    KeySpec("z", "z", "toggle_as", "", "Show or hide the AS / place column"),
    KeySpec("e", "e", "toggle_ecmp", "", "Expand or collapse the responders of ECMP hops"),
    KeySpec("b", "b", "toggle_back", "",
            "Show or hide Back: hops of the return path, estimated from the reply TTL (like --back)"),
    KeySpec("m", "m", "toggle_mpls", "", "Show or hide the MPLS labels under the routers that report them"),
    KeySpec("d", "d", "cycle_display", "",
            "Display mode: table, history strip per hop, RTT chart of the selected hop"),
    KeySpec("left_square_bracket", "[", "history_scroll(1)", "", "History strip: scroll back (older rounds)"),
    KeySpec("right_square_bracket", "]", "history_scroll(-1)", "", "History strip: scroll forward"),
    KeySpec("o", "o", "ask_fields", "", "Pick the fields (columns) and their order, as mtr's -o letters"),
    KeySpec("j", "j", "toggle_jitter", "", "Jitter fields (mtr's DRAGJMXI) or your fields"),
    KeySpec("x", "x", "toggle_privacy", "",
            "Privacy: hide the addresses, names, AS and places of the first hops (--privacy N, else 2)"),
    KeySpec("l", "l", "toggle_events", "", "Show or hide the event log, newest first (route changes...)"),
    KeySpec("F", "F", "show_findings", "",
            "List every finding: what the numbers mean, where, and what they rest on"),
    KeySpec("greater_than_sign", ">", "replay_speed(1)", "", "Replay: play twice as fast"),
    KeySpec("less_than_sign", "<", "replay_speed(-1)", "", "Replay: play half as fast"),
    KeySpec("right", "→", "replay_step(1)", "", "Replay: pause and go to the next round", priority=True),
    KeySpec("left", "←", "replay_step(-1)", "", "Replay: pause and go back a round", priority=True),
    KeySpec("up", "↑", "select_row(-1)", "", "Select the hop or ECMP responder above (Esc: none)"),
    KeySpec("down", "↓", "select_row(1)", "", "Select the row below (PgUp PgDn Ctrl+Home/End jump)"),
    KeySpec("enter,w", "↵ w", "show_detail", "Info",
            "Enter: all about the selected row: names, AS, place, stats, owner"),
    KeySpec("f", "f", "show_flows", "",
            "Paths and flows of --flows N: each branch's loss and RTT (Enter there: only that path here)"),
    KeySpec("a", "a", "show_every_path", "", "Show every path again after the flows view narrowed the table"),
    KeySpec("s", "s", "ticket_screenshot", "Shot", "Save an SVG screenshot and a Markdown report"),
    KeySpec("question_mark,h", "? h", "help", "Help", "Show this help"),
    KeySpec("q", "q", "quit", "Quit", "Quit (--report-on-exit prints the report)"),
    KeySpec("ctrl+c", "^C", "quit", "", "Quit too, from anywhere, like mtr and traceroute", priority=True),
)


def bindings() -> list[Binding]:
    return [
        Binding(spec.keys, spec.action, spec.footer or spec.help, show=bool(spec.footer),
                key_display=spec.shown.split()[0], priority=spec.priority)
        for spec in KEYS
    ]
