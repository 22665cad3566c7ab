"""Two real OpenSSH servers in the namespace lab, for ``--from``: ``lab-dst`` in dst and ``lab-r3`` in the
router behind the ECMP stage, with host keys, a client key and an ssh config of their own (nothing of the
machine's ssh setup is read or changed). Used by the vantage lab tests and the README's screenshot."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.lab import topology
from tests.lab.netlab import Lab

SSHD = Path("/usr/sbin/sshd")


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tuitrace-lab", "-f", str(path)],
                   check=True, capture_output=True)
    return path.with_suffix(".pub").read_text().strip()


class Sshd:
    """The servers' keys and addresses, the client's config, and the running ``sshd`` per node (r3's way
    back to src is r2a alone, so its traces towards src take one path)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.client_config = root / "ssh_config"
        self.addresses = {"dst": topology.hop_address("dst", 4), "r3": topology.hop_address("r3", 4)}
        self.host_keys = {node: keygen(root / f"host_key_{node}") for node in self.addresses}
        self.other_key = keygen(root / "other_host_key")
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def known_hosts(self, **keys: str) -> None:
        """known_hosts with each server's own key, or the key given for it (a mismatch)."""
        lines = [f"{self.addresses[n]} {keys.get(n, key)}" for n, key in self.host_keys.items()]
        (self.root / "known_hosts").write_text("\n".join(lines) + "\n")


def start_sshd(lab: Lab, server: Sshd, node: str) -> subprocess.Popen[bytes]:
    root, address = server.root, server.addresses[node]
    config = root / f"sshd_config_{node}"
    config.write_text(
        f"ListenAddress {address}\nPort 22\nHostKey {root / f'host_key_{node}'}\n"
        f"AuthorizedKeysFile {root / 'authorized_keys'}\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        "PidFile none\nLogLevel ERROR\n")
    proc = lab.popen(node, [str(SSHD), "-D", "-e", "-f", str(config)])
    deadline = time.monotonic() + 20
    while f"{address}:22" not in lab.run(node, ["ss", "-Hltn"]).stdout:
        assert proc.poll() is None, f"sshd ended: {proc.stderr.read() if proc.stderr else b''!r}"
        assert time.monotonic() < deadline, "sshd did not listen"
        time.sleep(0.05)
    return proc


@contextmanager
def serving(lab: Lab, root: Path) -> Iterator[Sshd]:
    """Both servers running, with everything they and the client need under ``root`` (made mode 700)."""
    root.chmod(0o700)
    server = Sshd(root)
    (root / "authorized_keys").write_text(keygen(root / "client_key") + "\n")
    server.client_config.write_text("".join(
        f"Host lab-{node}\n  HostName {address}\n  User root\n  IdentityFile {root / 'client_key'}\n"
        f"  IdentitiesOnly yes\n  UserKnownHostsFile {root / 'known_hosts'}\n"
        "  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  UpdateHostKeys no\n"
        for node, address in server.addresses.items()))
    server.known_hosts()
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    try:
        for node in server.addresses:
            server.procs[node] = start_sshd(lab, server, node)
        yield server
    finally:
        for proc in server.procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
