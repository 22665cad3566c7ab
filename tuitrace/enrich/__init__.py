"""Enrichment: reverse DNS, ASN, GeoIP and RDAP for the responders of a trace, without ever blocking it."""

from tuitrace.enrich.enricher import Enricher, lookup_sync
from tuitrace.enrich.info import EMPTY_INFO, EnrichInfo
from tuitrace.enrich.options import EnrichOptions, add_arguments, geoip_help, options_from_args

__all__ = [
    "EMPTY_INFO",
    "EnrichInfo",
    "EnrichOptions",
    "Enricher",
    "add_arguments",
    "geoip_help",
    "lookup_sync",
    "options_from_args",
]
