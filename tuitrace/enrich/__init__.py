"""Enrichment: reverse DNS, ASN, GeoIP and RDAP for the responders of a trace, without ever blocking it.

Import the submodules (``tuitrace.enrich.enricher``, ``.options``, ``.info``): this package imports nothing
itself, so that parsing the command line does not load dnspython and asyncio.
"""
