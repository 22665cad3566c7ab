"""The wording of the detail view, without Textual: RDAP's dict as ipwhois really returns it (from the
loopback RDAP test server), odd shapes that must not break the view, and the return-path estimate."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.enrich.rdapserver import RdapTestServer, rdap_network
from tuitrace.enrich.rdap import ipwhois_fetch
from tuitrace.ui.details import LOOKING_UP, Fact, rdap_facts, return_path

PUBLIC = "11.0.0.1"
"""Outside every special range, so ipwhois accepts it; only the loopback test server is ever asked."""


def by_label(facts: list[Fact]) -> dict[str, str]:
    return {fact.label: fact.value for fact in facts}


def test_ipwhois_answer_from_a_registry_reads_as_network_range_and_owner() -> None:
    with RdapTestServer() as server:
        server.networks[PUBLIC] = rdap_network("NET-11-0", "LAB-NET", "11.0.0.0/8", "ZZ", "Lab Networks Ltd")
        answer = ipwhois_fetch(server.url, 2.0)(PUBLIC)
    facts = by_label(rdap_facts(answer))
    assert facts["Network"] == "LAB-NET (NET-11-0)"
    assert facts["Range"] == "11.0.0.0/8  ASSIGNED PA"
    assert facts["Country"] == "ZZ"
    assert facts["Registration"] == "2020-01-01"
    assert facts["Registrant"] == "Lab Networks Ltd (org)"


def test_pending_and_reasons_are_one_line() -> None:
    assert rdap_facts(None) == [Fact("Status", LOOKING_UP, "italic")]
    reason = "RDAP lookups are off (--no-lookups)"
    assert [fact.value for fact in rdap_facts(reason)] == [reason]


def test_range_without_cidr_uses_start_and_end() -> None:
    facts = by_label(rdap_facts({"network": {"start_address": "11.0.0.0", "end_address": "11.0.0.255"}}))
    assert facts["Range"] == "11.0.0.0 - 11.0.0.255"


def test_an_answer_with_nothing_useful_says_so() -> None:
    assert [f.value for f in rdap_facts({"network": None, "entities": None})] == [
        "the registry answered without network or owner details"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(["network", "entities", "objects", "asn", "asn_description", "name", "handle", "cidr",
                        "events", "remarks", "contact", "roles", "email", "phone", "address", "value"])
shaped = st.recursive(
    json_values,
    lambda inner: st.dictionaries(keys, inner, max_size=6) | st.lists(inner, max_size=4),
    max_leaves=30,
)


@given(shaped)
def test_any_json_shape_gives_lines_never_an_error(answer: Any) -> None:
    facts = rdap_facts(answer if isinstance(answer, dict | str) else {"network": answer})
    assert facts
    assert all("\n" not in fact.value for fact in facts)


def test_return_path_from_the_reply_ttl() -> None:
    assert return_path(62, 3) == "62 (sent with 64: about 3 hops back)"
    assert return_path(250, 3) == ("250 (sent with 255: about 6 hops back, 3 forward: "
                                   "the return path may differ)")
    assert return_path(128, 1) == "128 (sent with 128: about 1 hop back)"
