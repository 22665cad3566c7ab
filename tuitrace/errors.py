"""Errors meant for the user: one line naming the problem and what to do. The CLI prints them, exit 2."""


class TuitraceError(Exception):
    pass


class PrivilegeError(TuitraceError):
    pass


RAW_SOCKET_HINT = (
    "raw sockets need root or CAP_NET_RAW: run with sudo, or grant the capability "
    '(sudo setcap cap_net_raw+ep "$(readlink -f "$(command -v python3)")")'
)
