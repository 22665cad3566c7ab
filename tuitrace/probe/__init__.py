"""The tracer: a sans-I/O state machine that decides what to send when and what a reply means,
plus the network back-ends (raw sockets, simulated) behind one small ``Network`` protocol."""
