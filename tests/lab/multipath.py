"""A namespace lab built from a :class:`topology.Plan`: ``--mda``'s 4-way ECMP stage and 2-way diamond.

The first lab (:mod:`tests.lab.netlab`) is one fixed topology that many tests use; this one builds another
plan with the same conventions and the same isolation (namespace names ``tlab<pid>x<hex4>-<node>``, fresh
per lab, removed on exit), reusing :class:`netlab.Lab` for everything but the build: running commands,
iptables toggles (:meth:`Lab.loss`), listeners. ::

                 .1 -- r2a .1 --+                            .1 -- r4a .1 --+
    src .2 -- .1 r1 ... r2b .3 --+-- .2 r3 (bridge br25)       (bridge br28) +-- .2 r5 .1 -- .2 dst
                    ... r2c .4 --+   .1 --------------- r4b .3 ---------------+
                    ... r2d .5 --+

r1 and r3 hash addresses, protocol and ports over their next hops (the same sysctls as the first lab's r1),
each with a seed of its own: with one seed both would compute the same hash for a flow, and r3's branch
would follow from r1's (hash polarisation: 4 of the 8 paths only). With two, a flow's branch at r3 is
independent of its branch at r1, as the MDA's model assumes, and all 8 paths carry flows.
"""

from __future__ import annotations

from tests.lab import netlab, topology
from tests.lab.netlab import Lab
from tests.lab.topology import Family, Plan


class PlanLab(Lab):
    """``with PlanLab(topology.FOUR_TWO) as lab:`` builds that plan; leaving the block removes it."""

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def ns(self, node: str) -> str:
        if node not in self.plan.nodes:
            raise KeyError(f"unknown lab node {node!r}")
        return f"{self.prefix}-{node}"

    def address(self, node: str, family: Family) -> str:  # type: ignore[override]
        return self.plan.hop_address(node, family)

    def target(self, family: Family) -> str:  # type: ignore[override]
        return self.plan.target(family)

    def _build(self) -> None:
        plan = self.plan
        for node in plan.nodes:
            name = self.ns(node)
            netlab._check(["ip", "netns", "add", name])
            self._built.append(name)
            values = dict(netlab.UNLIMITED_ICMP)
            values |= {"net.ipv6.conf.all.accept_dad": "0", "net.ipv6.conf.default.accept_dad": "0",
                       "net.ipv6.conf.default.accept_ra": "0"}
            if node in plan.routers:
                values |= {"net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1"}
            if node in plan.ecmp_routers():
                values |= netlab._ecmp_sysctls()
                if "net.ipv4.fib_multipath_hash_seed" in values:  # each router its own seed (see above)
                    seed = 201 + plan.ecmp_routers().index(node)
                    values["net.ipv4.fib_multipath_hash_seed"] = str(seed)
            self.sysctl(node, values)
        self._wire(plan.nodes, plan.segments)
        self._configure(plan.nodes, plan.segments_of, plan.routes)
        self._warm_up(plan.segments)


def four_two() -> PlanLab:
    return PlanLab(topology.FOUR_TWO)
