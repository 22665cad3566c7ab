"""Other vantage points: the same trace run from the user's own hosts over OpenSSH.

tuitrace invents no agent, daemon or protocol for this. It starts ``tuitrace --stream`` on the remote host
through the system's ``ssh`` (BatchMode: the user's config, keys, agent and known_hosts; no password is
ever handled here), reads the stream's JSON lines, and feeds their probe results into the same statistics
the local engine keeps. Settings changed by key go back as ``--stream``'s commands on the remote's
standard input (:mod:`tuitrace.engine.commands`).
"""
