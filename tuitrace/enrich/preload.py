"""Load now what dnspython would import on the first answer, before tuitrace gives up its privileges.

dnspython imports its asyncio back end on the first asynchronous query and the class of each record type
on the first record of that type it parses. Started with sudo from a Python the sudo user cannot read (a
pyenv or venv under /root), those imports come after the privilege drop and fail; dnspython then quietly
treats a PTR answer as an opaque record and every name stays empty. ``tuitrace.run`` calls
:func:`preload_lookups` before the drop (the UI's own late imports are in ``tuitrace.ui.preload``).
"""

from __future__ import annotations

from typing import Final

import dns.asyncbackend
import dns.rdata
import dns.rdataclass
import dns.rdatatype

RECORD_TYPES: Final = (
    dns.rdatatype.PTR,  # reverse DNS
    dns.rdatatype.TXT,  # Team Cymru's AS answers
    dns.rdatatype.CNAME,  # classless reverse delegation (RFC 2317)
    dns.rdatatype.SOA,  # the authority section of a negative answer
    dns.rdatatype.NS,
    dns.rdatatype.A,
    dns.rdatatype.AAAA,
)
"""Every record type an answer to our questions may carry, in any section."""


def preload_lookups() -> None:
    """Import dnspython's asyncio back end and the record classes our answers use."""
    dns.asyncbackend.get_backend("asyncio")
    for rdtype in RECORD_TYPES:
        dns.rdata.get_rdata_class(dns.rdataclass.IN, rdtype)  # type: ignore[no-untyped-call]
