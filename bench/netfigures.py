"""The figures measured on the namespace lab with real kernels: time to the full path, start-up, CPU per
probe, RTT accuracy, the highest lossless probe rate and the cost of the running TUI."""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable

from bench import labkit, tools
from bench.table import Row, ratio, yes
from bench.terminal import run_on_terminal
from tests.lab.netlab import Lab

ONE_WAY_MS = 25.0
"""Delay each way at r3: the destination (and hop 4) are ~50 ms away, hops 1-3 a few microseconds."""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def time_to_path(lab: Lab, runs: int) -> list[Row]:
    """Figures 1 and 7: from the first probe on the wire to the moment every hop had answered, and from
    the spawn to the first probe. Each tool once per run, interleaved; medians."""
    target = lab.target(4)
    tools_argv: dict[str, list[str]] = {
        "tuitrace": labkit.tuitrace_argv(lab, "--report", "--json", "-n", "-c", "1"),
        "traceroute": labkit.in_src(lab, ["traceroute", "-I", "-n", "-q", "1", target]),
        "mtr": labkit.in_src(lab, ["mtr", "-n", "--report", "-c", "1", target]),
    }
    full: dict[str, list[float]] = {name: [] for name in tools_argv}
    start: dict[str, list[float]] = {name: [] for name in tools_argv}
    dst_rtt: list[float] = []
    hops = lab.expected_hops(4)
    with labkit.delayed(lab, ONE_WAY_MS):
        for _ in range(runs):
            for name, argv in tools_argv.items():
                with tools.capture(lab.argv("src", []), labkit.src_interface()) as packets:
                    run = tools.measure(argv)
                done = tools.path_complete(packets, labkit.src_address(), hops)
                if done is None:
                    print(f"bench: {name} did not see the whole path in one run", file=sys.stderr)
                    continue
                full[name].append(done[1] - done[0])
                start[name].append(done[0] - run.started)
                if name == "traceroute":
                    rtts = tools.traceroute_rtts(run.stdout).get(len(hops), [])
                    dst_rtt += [rtt / 1000 for rtt in rtts]
    med = {name: statistics.median(values) if values else float("nan") for name, values in full.items()}
    first = {name: statistics.median(values) if values else float("nan") for name, values in start.items()}
    limit = (statistics.median(dst_rtt) if dst_rtt else 2 * ONE_WAY_MS / 1000) + 0.005
    ours = med["tuitrace"]
    rows = [Row(f"1. time to full path ({_ms(limit - 0.005)} dst), vs {peer}", _ms(ours),
                f"{_ms(med[peer])} ({label})", ratio(ours, med[peer]), f"<= {_ms(limit)}", yes(ours <= limit))
            for peer, label in (("traceroute", "traceroute -I -q 1"), ("mtr", "mtr --report -c 1"))]
    rows += [Row(f"7. start-up to first probe, vs {peer}", _ms(first["tuitrace"]), _ms(first[peer]),
                 ratio(first["tuitrace"], first[peer]))
             for peer in ("traceroute", "mtr")]
    return rows


def cpu_per_probe(lab: Lab, runs: int, counts: tuple[int, int], interval: float) -> list[Row]:
    """Figure 2: marginal CPU per probe (CPU of the long run minus the short one, over the extra probes
    sent), so that start-up and exit cost, a one-off, weigh the same for both tools."""
    target = lab.target(4)
    common = ["-n", "-i", f"{interval:g}"]

    def ours(count: int) -> tuple[float, int]:
        run = tools.measure(labkit.tuitrace_argv(lab, "--report", "--json", *common, "-c", str(count)))
        return run.cpu_s, int(json.loads(run.stdout)["probes_sent"])

    def mtr(count: int) -> tuple[float, int]:
        run = tools.measure(labkit.in_src(lab, ["mtr", "--report", *common, "-c", str(count), target]))
        return run.cpu_s, tools.mtr_sent(run.stdout)

    per_probe: dict[str, list[float]] = {"tuitrace": [], "mtr": []}
    whole: dict[str, list[float]] = {"tuitrace": [], "mtr": []}
    runners: dict[str, Callable[[int], tuple[float, int]]] = {"tuitrace": ours, "mtr": mtr}
    for _ in range(runs):
        for name, runner in runners.items():
            cpu_short, sent_short = runner(counts[0])
            cpu_long, sent_long = runner(counts[1])
            per_probe[name].append((cpu_long - cpu_short) / max(1, sent_long - sent_short))
            whole[name].append(cpu_long / max(1, sent_long))
    t, m = statistics.median(per_probe["tuitrace"]), statistics.median(per_probe["mtr"])
    tw, mw = statistics.median(whole["tuitrace"]), statistics.median(whole["mtr"])
    label = f"{counts[1]} rounds, -i {interval:g}"
    return [
        Row(f"2. CPU per probe, steady ({label})", f"{t * 1e6:.1f} us", f"{m * 1e6:.1f} us (mtr)",
            ratio(t, m), "<= 0.33x mtr", yes(t <= m / 3)),
        Row(f"2. CPU per probe, whole run incl. start-up ({label})", f"{tw * 1e6:.1f} us",
            f"{mw * 1e6:.1f} us (mtr)", ratio(tw, mw)),
    ]


def accuracy(lab: Lab, runs: int, queries: int = 10) -> list[Row]:
    """Figure 3: per-hop average RTT of tuitrace minus traceroute's, both ICMP, idle and with both cores
    busy; the worst hop of each run, median over runs."""
    target = lab.target(4)
    ours_argv = labkit.tuitrace_argv(lab, "--report", "--json", "-n", "-m", "8", "-c", str(queries),
                                     "-i", "0.05")
    peer_argv = labkit.in_src(lab, ["traceroute", "-I", "-n", "-q", str(queries), "-m", "8", target])
    rows: list[Row] = []
    for label, load in (("idle", 0), ("both cores busy", 2)):
        worst: list[float] = []
        ours_mean: list[float] = []
        peer_mean: list[float] = []
        with tools.busy_cores(load):
            for _ in range(runs):
                report = json.loads(tools.measure(ours_argv).stdout)
                peer = tools.traceroute_rtts(tools.measure(peer_argv).stdout)
                ours = {hop["ttl"]: hop["avg_ms"] for hop in report["hops"] if hop["avg_ms"] is not None}
                common = [ttl for ttl in ours if peer.get(ttl)]
                if not common:
                    continue
                diffs = [ours[ttl] - statistics.fmean(peer[ttl]) for ttl in common]
                worst.append(max(diffs, key=abs))
                ours_mean.append(statistics.fmean(ours[ttl] for ttl in common))
                peer_mean.append(statistics.fmean(statistics.fmean(peer[ttl]) for ttl in common))
        if not worst:
            rows.append(Row(f"3. RTT accuracy ({label})", "no common hops"))
            continue
        delta = statistics.median(worst)
        rows.append(Row(f"3. RTT accuracy ({label}): worst hop avg - traceroute's",
                        f"{delta:+.3f} ms (mean {statistics.median(ours_mean):.3f})",
                        f"mean {statistics.median(peer_mean):.3f} ms (traceroute -I)", "-",
                        "|diff| <= 0.1 ms", yes(abs(delta) <= 0.1)))
    return rows


def probe_rate(lab: Lab, rates: list[int], seconds: float) -> list[Row]:
    """Figure 4: the highest rate achieved with every probe answered and nothing mismatched."""
    hops = len(lab.expected_hops(4))
    best = 0.0
    trials: list[str] = []
    for rate in rates:
        run = tools.measure(labkit.in_src(lab, [sys.executable, "-m", "bench.rate", lab.target(4), str(hops),
                                                str(rate), f"{seconds:g}"]))
        result = json.loads(run.stdout)
        clean = result["received"] == result["sent"] and result["dropped"] == 0
        trials.append(f"{rate // 1000}k->{result['achieved'] / 1000:.1f}k{'' if clean else ' LOSS'}")
        if clean:
            best = max(best, result["achieved"])
    print("bench: rate trials (asked->achieved per s): " + ", ".join(trials), file=sys.stderr)
    return [Row("4. highest lossless probe rate", f"{best:,.0f}/s", "-", "-", ">= 10,000/s",
                yes(best >= 10_000))]


def running_tui(lab: Lab, seconds: float) -> list[Row]:
    """Figure 6b: the TUI at its default interval on the lab path vs mtr's curses view (start-up in a
    terminal is :mod:`bench.startup`'s)."""
    marker = lab.expected_hops(4)[0]
    first_hop = next(iter(marker))
    ours = run_on_terminal(labkit.tuitrace_argv(lab, "-n"), seconds, first_hop)
    peer = run_on_terminal(labkit.in_src(lab, ["mtr", "-n", lab.target(4)]), seconds, first_hop)
    peer_pct = f"{peer.steady_cpu_pct:.1f}% (mtr)"
    return [Row("6. CPU of the running TUI (default 1 s interval)", f"{ours.steady_cpu_pct:.1f}%", peer_pct,
                ratio(ours.steady_cpu_pct, peer.steady_cpu_pct), "<= 5% of a core",
                yes(ours.steady_cpu_pct <= 5.0))]
