"""Per-hop and per-responder statistics built from probe results."""
