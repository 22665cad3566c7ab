"""``--from``: a real OpenSSH server in the lab's dst namespace runs ``tuitrace --stream``, and tuitrace in
src shows that trace: the path from dst back to src, which src could never see itself.

The server has its own host key and one authorized key, both made for the test; the client uses an ssh
config file of the test's (``--ssh-config``) with its own known_hosts, so nothing of the machine's ssh setup
is read or changed. The remote trace probes src's address: a lab address, from inside the lab.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lab import topology
from tests.lab.netlab import Lab
from tests.lab.sshlab import SSHD, Sshd, serving, start_sshd
from tests.lab.tuitrace_run import REPO, environment
from tests.ui.tmux import Terminal

pytestmark = pytest.mark.lab

REMOTE = f"env PYTHONPATH={shlex.quote(str(REPO))} {shlex.quote(sys.executable)} -m tuitrace"
HOST = "lab-dst"


@pytest.fixture(scope="module")
def sshd(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    if not SSHD.exists():
        pytest.skip("openssh-server is not installed (run-tests installs it)")
    with serving(lab, tmp_path_factory.mktemp("sshd")) as server:
        yield server


def from_dst(lab: Lab, sshd: Sshd, *extra: str, remote: str = REMOTE) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "tuitrace", "--from", HOST, "--no-local", "--ssh-config",
            str(sshd.client_config), "--remote-command", remote, "--json", "-n", "--no-lookups", "-4",
            "-c", "3", "-i", "0.1", "-w", "0.5", *extra, topology.segment("src", "r1").address("src", 4)]
    return lab.run("src", argv, timeout=120, env=environment(), cwd=REPO)


def test_the_trace_from_the_remote_host_is_its_path_back(lab: Lab, sshd: Sshd) -> None:
    done = from_dst(lab, sshd, "-T", "-p", "22")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    src = topology.segment("src", "r1").address("src", 4)
    assert report["reached"] is True and report["target"]["address"] == src
    seen = [{r["address"] for r in hop["responders"]} for hop in report["hops"]]
    def on(a: str, b: str) -> str:
        return topology.segment(a, b).address(a, 4)

    back = [on("r4", "dst"), on("r3", "r4"), {on("r2a", "r3"), on("r2b", "r3")},
            {on("r1", "r2a"), on("r1", "r2b")}, src]  # r1 answers from the interface its ECMP route picks
    assert len(seen) == len(back)
    for hop, expected in zip(seen, back, strict=True):
        assert hop and hop <= (expected if isinstance(expected, set) else {expected}), (seen, back)
    assert (report["protocol"], report["port"]) == ("tcp", 22)
    assert report["target"]["host"] == f"{src} from {HOST}"
    assert [hop["sent"] for hop in report["hops"]] == [3] * len(back), report["hops"]


def test_a_changed_host_key_is_refused_and_never_overridden(lab: Lab, sshd: Sshd) -> None:
    sshd.known_hosts(dst=sshd.other_key)
    try:
        done = from_dst(lab, sshd)
    finally:
        sshd.known_hosts()
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"tuitrace: the host key of {HOST} does not match known_hosts: not connecting (check it and fix "
        "known_hosts yourself)"]


def test_no_tuitrace_on_the_remote_host_says_how_to_get_it(lab: Lab, sshd: Sshd) -> None:
    done = from_dst(lab, sshd, remote="/nonexistent/tuitrace")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"tuitrace: /nonexistent/tuitrace not found on {HOST}: install it there with 'pip install "
        "tuitrace', or name it with --remote-command"]


def test_two_places_and_here_show_three_first_hops_and_one_destination(lab: Lab, sshd: Sshd) -> None:
    """The several-traces report: src, dst and r3 each trace r1 at once; each entry says where from.

    r1 is the target because every way to it is one path: from src it is the first hop, from dst the
    path back through r4, r3 and r2a, from r3 through r2a (a target behind the ECMP stage would leave the
    first hop of a vantage point in front of it to which branch its own replies take)."""
    r1 = topology.hop_address("r1", 4)
    argv = [sys.executable, "-m", "tuitrace", "--from", "lab-dst", "--from", "lab-r3", "--ssh-config",
            str(sshd.client_config), "--remote-command", REMOTE, "--json", "-n", "--no-lookups", "-4", "-I",
            "-c", "3", "-i", "0.1", "-w", "0.5", r1]
    done = lab.run("src", argv, timeout=120, env=environment(), cwd=REPO)
    assert done.returncode == 0, done.stderr
    traces = json.loads(done.stdout)["traces"]
    assert [t["vantage"] for t in traces] == ["local", "lab-dst", "lab-r3"]
    assert all(t["reached"] is True and t["target"]["address"] == r1 for t in traces)

    def on(a: str, b: str) -> str:
        return topology.segment(a, b).address(a, 4)

    paths = [[{r["address"] for r in hop["responders"]} for hop in t["hops"]] for t in traces]
    assert paths == [
        [{r1}],
        [{on("r4", "dst")}, {on("r3", "r4")}, {on("r2a", "r3")}, {r1}],
        [{on("r2a", "r3")}, {r1}],
    ]


def namespace_processes(lab: Lab, node: str) -> dict[int, str]:
    """Every process in ``node``'s namespace, with its command line."""
    found: dict[int, str] = {}
    for pid in subprocess.run(["ip", "netns", "pids", lab.ns(node)], capture_output=True, text=True,
                              check=False).stdout.split():
        try:
            found[int(pid)] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # ended meanwhile
    return found


def test_a_server_killed_mid_run_is_reconnected_and_the_other_traces_go_on(lab: Lab, sshd: Sshd) -> None:
    """dst's sshd and its session die mid-run and come back 2 s later: dst's trace says it was cut, then
    goes on with the rounds still to come; here and r3 never notice."""
    count = 30
    r1 = topology.hop_address("r1", 4)
    argv = [sys.executable, "-m", "tuitrace", "--from", "lab-dst", "--from", "lab-r3", "--ssh-config",
            str(sshd.client_config), "--remote-command", REMOTE, "--json", "-n", "--no-lookups", "-4", "-I",
            "-c", str(count), "-i", "0.2", "-w", "0.5", r1]
    proc = lab.popen("src", argv, env=environment(), cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while not any("--stream" in line for line in namespace_processes(lab, "dst").values()):
            assert proc.poll() is None and time.monotonic() < deadline, "no remote trace started in dst"
            time.sleep(0.05)
        time.sleep(1.5)  # a few of its rounds arrive
        for pid, line in namespace_processes(lab, "dst").items():
            if line.startswith((str(SSHD), "sshd")):
                os.kill(pid, signal.SIGKILL)  # the listening server and the session: the link drops
        sshd.procs["dst"].wait(timeout=10)
        time.sleep(2)
        sshd.procs["dst"] = start_sshd(lab, sshd, "dst")
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    messages = err.decode().splitlines()
    assert messages and messages[0].startswith("tuitrace: the connection to lab-dst dropped"), messages
    assert messages[0].endswith("; connecting again in 1 s"), messages
    assert not [m for m in messages if "lab-r3" in m], messages
    traces = json.loads(out)["traces"]
    assert [t["vantage"] for t in traces] == ["local", "lab-dst", "lab-r3"]
    assert all(t["reached"] is True and t["target"]["address"] == r1 for t in traces)
    for trace in traces:  # dst's second connection asked for the rounds its first did not deliver
        assert [hop["sent"] for hop in trace["hops"]] == [count] * len(trace["hops"]), trace


@pytest.mark.tmux
def test_a_key_on_the_overview_changes_the_probes_here_and_on_both_remote_hosts(lab: Lab, sshd: Sshd) -> None:
    """The screen in a real terminal: ``t`` on the overview goes to both remote ``--stream`` runs over ssh
    (as a command on their standard input) and to the trace here; each tab then shows TCP/80 reaching r1
    (its RST answers a closed port)."""
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    r1 = topology.hop_address("r1", 4)
    tuitrace = [sys.executable, "-m", "tuitrace", "-n", "--no-lookups", "-I", "-i", "0.2", "-w", "0.5",
                "--from", "lab-dst", "--from", "lab-r3", "--ssh-config", str(sshd.client_config),
                "--remote-command", REMOTE, r1]
    term = Terminal(["env", "-u", "LINES", "-u", "COLUMNS", f"PYTHONPATH={REPO}", "TERM=xterm-256color",
                     *lab.argv("src", tuitrace)], width=140, height=30)
    try:
        term.wait_for(lambda s: "Paths side by side" in s and s.count(" yes ") >= 3, "three traces reached")
        term.press("t")
        for tab in ("2", "3", "1"):
            term.press(tab)
            term.wait_for(lambda s: "[TCP/80]" in s and "destination reached" in s, f"TCP/80 on tab {tab}")
        term.press("q")
    finally:
        term.close()
